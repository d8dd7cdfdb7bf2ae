// The transfers part of `npm run bench`: P2P transfers by handle end to end, with ledger,
// handles and transfers each in its own process (as `npm start` runs them), the load from a
// process of its own, and a bare EchoService on the same runtime as the ceiling, in one run:
// a lone transfer's latency, latency at 300/s offered, the most it sustains (32 and 128 in
// flight), and a hot payee (everyone pays one merchant).
import { randomUUID } from "node:crypto";
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
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import type { BenchUser } from "./scenarios.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PAYERS = 200;
const CONCURRENCY = 32;
const SCENARIOS = "services/transfers/bench/scenarios.ts";

export async function runBenchmark(): Promise<void> {
  const mesh = await startBenchMesh({
    processes: [
      { service: "ledger" },
      // People pay by handle; a bucket this large never refuses the benchmark's payers.
      { service: "handles", env: { HANDLES_BUCKET_CAPACITY: "1000000000", HANDLES_BUCKET_REFILL_PER_MINUTE: "1000000000" } },
      { service: "transfers" },
    ],
  });
  try {
    const { users, merchant } = await seed(mesh);
    const durationMs = SECONDS * 1000;
    const run = (spec: Omit<LoadSpec, "module"> & { module?: string }) =>
      runLoadProcess({ module: SCENARIOS, warmupMs: 2_000, ...spec }, mesh.cpuSources);
    const pay = { scenario: "pay", params: { url: mesh.urls.transfers!, users } };
    const hot = { scenario: "pay", params: { url: mesh.urls.transfers!, users, merchant } };
    const results: MeasuredLoad[] = [];
    results.push(
      await run({
        name: "ceiling: echo (max)",
        mode: "closed-loop",
        concurrency: CONCURRENCY,
        durationMs: durationMs / 2,
        module: CEILING_SCENARIOS,
        scenario: "echo",
        params: { url: mesh.ceilingUrl, token: await mesh.token("bench") },
      }),
    );
    results.push(
      await run({ name: "P2P by handle, one at a time", mode: "closed-loop", concurrency: 1, durationMs: durationMs / 2, ...pay }),
    );
    results.push(await run({ name: "P2P by handle @300/s", mode: "fixed-rate", rate: 300, durationMs, ...pay }));
    results.push(await run({ name: "P2P by handle (max)", mode: "closed-loop", concurrency: CONCURRENCY, durationMs, ...pay }));
    // More in flight, bigger groups at each step: the most this mesh sustains, at a latency cost.
    results.push(await run({ name: "P2P by handle (max, c=128)", mode: "closed-loop", concurrency: 4 * CONCURRENCY, durationMs, ...pay }));
    results.push(await run({ name: "hot payee (max)", mode: "closed-loop", concurrency: CONCURRENCY, durationMs, ...hot }));

    const byName = (name: string) => results.find((r) => r.name === name)!;
    const fixed = byName("P2P by handle @300/s");
    const uniform = byName("P2P by handle (max)");
    const sustained = Math.max(uniform.throughput, byName("P2P by handle (max, c=128)").throughput);
    const hotPayee = byName("hot payee (max)");
    report("transfers", results, "ceiling: echo (max)", {
      goals: { p50Ms: 10, p99Ms: 50, atRate: 300, sustainedPerSecond: 800 },
      met: { p50: fixed.p50 < 10, p99: fixed.p99 < 50, sustained: sustained >= 800 },
      hotPayeeRatio: hotPayee.throughput / uniform.throughput,
    });
    console.log(
      `goals: p50 < 10 ms (${fixed.p50.toFixed(2)}), p99 < 50 ms (${fixed.p99.toFixed(2)}) at 300/s; ≥ 800/s sustained (${sustained.toFixed(0)}/s); ` +
        `hot payee at ${((hotPayee.throughput / uniform.throughput) * 100).toFixed(0)}% of uniform`,
    );
  } finally {
    await mesh.stop();
  }
}

/** Funded USD wallets with handles, one more for the merchant, and limits no run reaches. */
async function seed(mesh: BenchMesh): Promise<{ users: BenchUser[]; merchant: BenchUser }> {
  const operator = await mesh.token("bench", "operator");
  const ledger = createBenchClient(LedgerService, { baseUrl: mesh.urls.ledger!, token: operator });
  await createBenchClient(TransferService, { baseUrl: mesh.urls.transfers!, token: operator }).setLimitPolicy({
    policy: { currency: "USD", perTransactionMax: 10n ** 12n, dailyMax: 10n ** 13n, monthlyMax: 10n ** 14n },
  });
  const funding = randomUUID();
  await ledger.createAccount({ id: funding, currency: "USD", owner: "bank", code: "funding", flags: { creditsMustNotExceedDebits: true } });
  const open = async (subject: string, handle: string): Promise<BenchUser> => {
    const accountId = randomUUID();
    await ledger.createAccount({
      id: accountId,
      currency: "USD",
      owner: subject,
      code: "wallet",
      flags: { debitsMustNotExceedCredits: true },
    });
    await ledger.postEntry({
      entryId: randomUUID(),
      lines: [
        { accountId: funding, amount: 10n ** 9n, side: Side.DEBIT },
        { accountId, amount: 10n ** 9n, side: Side.CREDIT },
      ],
    });
    const token = await mesh.token(subject);
    await createBenchClient(HandleService, { baseUrl: mesh.urls.handles!, token }).registerHandle({
      handle,
      accountId,
      displayName: `Bench User ${subject}`,
    });
    return { subject, accountId, handle, token };
  };
  const users: BenchUser[] = [];
  for (let i = 0; i < PAYERS; i += 50) {
    users.push(
      ...(await Promise.all(Array.from({ length: Math.min(50, PAYERS - i) }, (_, j) => open(`bench-${i + j}`, `@bench-${i + j}`)))),
    );
  }
  return { users, merchant: await open("bench-merchant", "@bench-merchant") };
}
