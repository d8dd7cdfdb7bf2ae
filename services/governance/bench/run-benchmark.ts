// The governance part of `npm run bench`: ledger, handles, transfers and governance each in its
// own process (as `npm start` runs them), the load from a process of its own, and a bare
// EchoService on the same runtime as the ceiling, in one run: GetInclusionProof latency on logs
// of 1k, 10k and 100k leaves (it should grow with log n, not n), then votes per second through
// CastVote, each with its log append.
import { randomBytes, randomUUID } from "node:crypto";
import {
  type BenchMesh,
  CEILING_SCENARIOS,
  createBenchClient,
  type LoadSpec,
  type MeasuredLoad,
  report,
  runLoadProcess,
  startBenchMesh,
} from "@paymesh/bench";
import { GovernanceService } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { loadConfig } from "@paymesh/runtime";
import postgres from "postgres";
import { type Hash, nodeKeyId, nodesForAppend } from "../src/index.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONCURRENCY = 16;
const MEMBERS = 300;
const CURRENCIES = ["USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "DKK"];
const SIZES = [1_000, 10_000, 100_000];
const SCENARIOS = "services/governance/bench/scenarios.ts";

export async function runBenchmark(): Promise<void> {
  const mesh = await startBenchMesh({
    processes: [
      { service: "ledger" },
      { service: "handles" },
      { service: "transfers" },
      {
        service: "governance",
        // Voting opens at once and stays open through the run; nothing closes or executes meanwhile.
        env: {
          GOVERNANCE_VOTING_DELAY_MS: "0",
          GOVERNANCE_VOTING_PERIOD_MS: String(86_400_000),
          GOVERNANCE_LIMIT_CURRENCIES: CURRENCIES.join(","),
        },
      },
    ],
  });
  try {
    const url = mesh.urls.governance!;
    const durationMs = SECONDS * 1000;
    const run = (spec: Omit<LoadSpec, "module"> & { module?: string }) =>
      runLoadProcess({ module: SCENARIOS, warmupMs: 1_000, ...spec }, mesh.cpuSources);
    const results: MeasuredLoad[] = [];
    const token = await mesh.token("bench");
    results.push(
      await run({
        name: "ceiling: echo (max)",
        mode: "closed-loop",
        concurrency: CONCURRENCY,
        durationMs: durationMs / 2,
        module: CEILING_SCENARIOS,
        scenario: "echo",
        params: { url: mesh.ceilingUrl, token },
      }),
    );
    const seeder = leafSeeder(mesh);
    try {
      for (const size of SIZES) {
        await seeder.growTo(size);
        results.push(
          await run({
            name: `GetInclusionProof, ${size / 1000}k leaves`,
            mode: "closed-loop",
            concurrency: 4,
            durationMs: durationMs / 2,
            scenario: "proof",
            params: { url, token, treeSize: size },
          }),
        );
      }
    } finally {
      await seeder.close();
    }
    const { members, proposals } = await seedVoting(mesh);
    const auth = loadConfig({ service: "bench", defaultPort: 0 }).auth;
    results.push(
      await run({
        name: "CastVote with its log append (max)",
        mode: "closed-loop",
        concurrency: CONCURRENCY,
        durationMs,
        scenario: "vote",
        params: { url, members, proposals, auth },
      }),
    );
    const proof = (size: number) => results.find((r) => r.name === `GetInclusionProof, ${size / 1000}k leaves`)!;
    const growth = proof(100_000).p50 / proof(1_000).p50;
    const votes = results.at(-1)!;
    report("governance", results, "ceiling: echo (max)", {
      proofP50GrowthFrom1kTo100k: growth,
      log2Growth: Math.log2(100_000) / Math.log2(1_000),
      votesPerSecond: votes.throughput,
    });
    console.log(
      `inclusion proof p50: ${SIZES.map((size) => `${size / 1000}k ${proof(size).p50.toFixed(2)} ms`).join(", ")}; ` +
        `×${growth.toFixed(2)} from 1k to 100k leaves (log n grows ×${(Math.log2(100_000) / Math.log2(1_000)).toFixed(2)}, n ×100); ` +
        `${votes.throughput.toFixed(0)} votes/s through CastVote`,
    );
  } finally {
    await mesh.stop();
  }
}

/**
 * Grows the benchmark's log by writing leaves and their subtree hashes straight into its
 * database (CastVote would take minutes for 100k), computed as an append does: random bytes
 * stand in for records, which a proof never reads.
 */
function leafSeeder(mesh: BenchMesh) {
  const sql = postgres(mesh.databaseUrl("governance"), { max: 1, onnotice: () => {} });
  const nodes = new Map<string, Hash>();
  let size = 0;
  return {
    async growTo(target: number) {
      while (size < target) {
        const end = Math.min(target, size + 5_000);
        const leaves: Array<{ idx: number; data: Uint8Array }> = [];
        const stored: Array<{ level: number; idx: number; hash: Uint8Array }> = [];
        for (let index = size; index < end; index++) {
          const data = randomBytes(96);
          leaves.push({ idx: index, data });
          for (const node of nodesForAppend(index, data, nodes)) {
            nodes.set(nodeKeyId(node), node.hash);
            stored.push({ level: node.level, idx: node.index, hash: node.hash });
          }
        }
        await sql.begin(async (tx) => {
          await tx`insert into log_leaves ${tx(leaves, "idx", "data")}`;
          await tx`insert into log_nodes ${tx(stored, "level", "idx", "hash")}`;
          await tx`insert into log_head (id, size) values (1, ${end}) on conflict (id) do update set size = excluded.size`;
        });
        size = end;
      }
    },
    close: () => sql.end(),
  };
}

/** Members, and one open proposal per governable transfer limit, all members eligible. */
async function seedVoting(mesh: BenchMesh): Promise<{ members: string[]; proposals: string[] }> {
  const url = mesh.urls.governance!;
  const operator = createBenchClient(GovernanceService, { baseUrl: url, token: await mesh.token("bench", "operator") });
  const members = Array.from({ length: MEMBERS }, (_, i) => `voter-${i}`);
  for (let i = 0; i < members.length; i += 50)
    await Promise.all(members.slice(i, i + 50).map((subject) => operator.addMember({ subject })));
  const proposer = createBenchClient(GovernanceService, { baseUrl: url, token: await mesh.token(members[0]!) });
  const { parameters } = await proposer.listParameters({ pageSize: 500 });
  const proposals: string[] = [];
  for (const parameter of parameters.filter((p) => p.name.startsWith("transfers.limits."))) {
    const { proposal } = await proposer.createProposal({
      proposalId: randomUUID(),
      parameter: parameter.name,
      newValue: parameter.currentValue! - 1n,
      rationale: "benchmark",
    });
    proposals.push(proposal!.id);
  }
  return { members, proposals };
}
