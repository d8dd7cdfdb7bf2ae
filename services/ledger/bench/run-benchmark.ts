// The ledger part of `npm run bench`: posting through the ledger in its own process (as `npm
// start` runs it) with the load from a process of its own, against a naive
// one-transaction-per-entry SQL baseline on the same tables and a bare EchoService on the same
// runtime, all in the same run.
import {
  CEILING_SCENARIOS,
  createBenchClient,
  type LoadSpec,
  type MeasuredLoad,
  report,
  runLoadProcess,
  startBenchMesh,
} from "@paymesh/bench";
import { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import postgres from "postgres";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ACCOUNTS = 1_000;
const SCENARIOS = "services/ledger/bench/scenarios.ts";

export async function runBenchmark(): Promise<void> {
  const mesh = await startBenchMesh({ processes: [{ service: "ledger" }] });
  try {
    const token = await mesh.token("bench", "service");
    const ledger = createBenchClient(LedgerService, { baseUrl: mesh.urls.ledger!, token });
    // Accounts without balance flags, so any pairing is valid and every entry is accepted.
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i += 100) {
      const created = await Promise.all(Array.from({ length: 100 }, () => ledger.createAccount({ currency: "USD", owner: "bench" })));
      accounts.push(...created.map((r) => r.account!.id));
    }
    const durationMs = SECONDS * 1000;
    const run = (spec: Omit<LoadSpec, "module" | "mode" | "durationMs"> & { module?: string }) =>
      runLoadProcess({ module: SCENARIOS, mode: "closed-loop", durationMs, ...spec }, mesh.cpuSources);
    const rpc = (hot: boolean, batch: number) => ({
      scenario: "rpc",
      params: { url: mesh.urls.ledger!, token, accounts, hot, batch },
      itemsPerOp: batch,
    });
    const inDatabase = { databaseUrl: mesh.databaseUrl("ledger"), subjectPrefix: mesh.prefix, accounts };
    const results: MeasuredLoad[] = [];
    results.push(
      await run({
        name: "ceiling: echo (max)",
        concurrency: 32,
        module: CEILING_SCENARIOS,
        scenario: "echo",
        params: { url: mesh.ceilingUrl, token },
      }),
    );
    results.push(await run({ name: "naive SQL, 1 tx/entry", concurrency: 64, scenario: "naive", params: inDatabase }));
    results.push(
      await run({
        name: "engine only ×100 (no RPC)",
        concurrency: 8,
        scenario: "engine",
        params: { ...inDatabase, batch: 100 },
        itemsPerOp: 100,
      }),
    );
    results.push(await run({ name: "PostEntries ×100", concurrency: 8, ...rpc(false, 100) }));
    results.push(await run({ name: "PostEntries ×100, hot account", concurrency: 8, ...rpc(true, 100) }));
    results.push(await run({ name: "PostEntry", concurrency: 64, ...rpc(false, 1) }));
    results.push(await run({ name: "PostEntry, hot account", concurrency: 64, ...rpc(true, 1) }));

    const drainStart = performance.now();
    const sql = postgres(mesh.databaseUrl("ledger"), { max: 1 });
    try {
      while ((await sql`select count(*)::int as n from outbox where published_at is null`)[0]!.n > 0) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await sql.end();
    }
    const rate = (name: string) => {
      const r = results.find((x) => x.name === name)!;
      return r.throughput * r.itemsPerOp;
    };
    const goals = {
      batchEntriesPerSecond: rate("PostEntries ×100"),
      batchVsNaive: rate("PostEntries ×100") / rate("naive SQL, 1 tx/entry"),
      singleVsNaive: rate("PostEntry") / rate("naive SQL, 1 tx/entry"),
      hotVsUniformBatch: rate("PostEntries ×100, hot account") / rate("PostEntries ×100"),
      hotVsUniformSingle: rate("PostEntry, hot account") / rate("PostEntry"),
      outboxDrainSecondsAfterRun: (performance.now() - drainStart) / 1000,
    };
    report("ledger", results, "ceiling: echo (max)", { goals });
    console.log(goals);
  } finally {
    await mesh.stop();
  }
}
