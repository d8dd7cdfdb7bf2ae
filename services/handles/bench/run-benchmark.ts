// The handles part of `npm run bench`: handle resolution against ledger and handles each in
// its own process (as `npm start` runs them), load from a process of its own, and a bare
// EchoService on the same runtime as the ceiling, all in the same run.
//
// The hot and cold scenarios call as a service (role `service`, exempt from the token bucket,
// as transfers resolving a payee is); one calls as 50 different people, which adds the token
// bucket (a Redis script per lookup), with a bucket too large to refuse anyone. "Cold" is a
// second handles process on the same database with both cache tiers off: every resolution
// reads Postgres.
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
import { openDatabase } from "@paymesh/db";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { sealPersonalData } from "../src/handle-record.js";
import { readHandlesConfig } from "../src/read-handles-config.js";
import * as schema from "../src/schema.js";

const HANDLES = 1_000;
const OWNERS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RATE = 2_000;
const CONCURRENCY = 32;
const SCENARIOS = "services/handles/bench/scenarios.ts";

export async function runBenchmark(): Promise<void> {
  const bucket = { HANDLES_BUCKET_CAPACITY: "1000000000", HANDLES_BUCKET_REFILL_PER_MINUTE: "1000000000" };
  const mesh = await startBenchMesh({
    processes: [
      { service: "ledger" },
      { service: "handles", env: bucket },
      { name: "handles-uncached", service: "handles", env: { ...bucket, HANDLES_LRU_TTL_MS: "0", HANDLES_REDIS_TTL_MS: "0" } },
    ],
  });
  try {
    const names = await seed(mesh);
    const service = [await mesh.token("transfers", "service")];
    const people = await Promise.all(Array.from({ length: 50 }, (_, u) => mesh.token(`bench-payer-${u}`)));
    const durationMs = SECONDS * 1000;
    const run = (spec: Omit<LoadSpec, "module" | "durationMs"> & { module?: string }) =>
      runLoadProcess({ module: SCENARIOS, durationMs, ...spec }, mesh.cpuSources);
    const handles = mesh.urls.handles!;
    const uncached = mesh.urls["handles-uncached"]!;
    const results: MeasuredLoad[] = [];
    const ceiling = { module: CEILING_SCENARIOS, scenario: "echo", params: { url: mesh.ceilingUrl, token: service[0] } };
    const hot = { scenario: "resolve", params: { url: handles, tokens: service, handles: names } };
    const cold = { scenario: "resolve", params: { url: uncached, tokens: service, handles: names } };
    results.push(await run({ name: "ceiling: echo (max)", mode: "closed-loop", concurrency: CONCURRENCY, ...ceiling }));
    results.push(await run({ name: `ceiling: echo @${RATE}/s`, mode: "fixed-rate", rate: RATE, ...ceiling }));
    results.push(await run({ name: `resolve hot @${RATE}/s`, mode: "fixed-rate", rate: RATE, ...hot }));
    results.push(await run({ name: "resolve hot (max)", mode: "closed-loop", concurrency: CONCURRENCY, ...hot }));
    results.push(
      await run({
        name: `resolve hot, Connect binary @${RATE}/s`,
        mode: "fixed-rate",
        rate: RATE,
        ...hot,
        params: { ...hot.params, protocol: "connect" },
      }),
    );
    results.push(
      await run({
        name: "resolve hot as 50 people @1000/s",
        mode: "fixed-rate",
        rate: 1_000,
        scenario: "resolve",
        params: { url: handles, tokens: people, handles: names },
      }),
    );
    results.push(await run({ name: "resolve cold @1000/s", mode: "fixed-rate", rate: 1_000, ...cold }));
    results.push(await run({ name: "resolve cold (max)", mode: "closed-loop", concurrency: CONCURRENCY, ...cold }));
    report("handles", results, "ceiling: echo (max)", { handles: names.length, seconds: SECONDS });
  } finally {
    await mesh.stop();
  }
}

/**
 * 1,000 handles over 50 owners' accounts: one per owner through RegisterHandle (the real path:
 * ledger check, outbox, invalidation), the rest inserted directly, sealed the same way with the
 * development keys the spawned service uses, since registering is not what is measured.
 */
async function seed(mesh: BenchMesh): Promise<string[]> {
  const ledger = createBenchClient(LedgerService, { baseUrl: mesh.urls.ledger!, token: await mesh.token("ops", "operator") });
  const { keyring } = readHandlesConfig({}, "development");
  const rows: Array<typeof schema.handles.$inferInsert> = [];
  const names: string[] = [];
  await Promise.all(
    Array.from({ length: OWNERS }, async (_, o) => {
      const owner = `bench-owner-${o}`;
      const { account } = await ledger.createAccount({ currency: "USD", owner });
      const asOwner = createBenchClient(HandleService, { baseUrl: mesh.urls.handles!, token: await mesh.token(owner) });
      for (let i = o; i < HANDLES; i += OWNERS) {
        const handle = `@bench_${i.toString().padStart(4, "0")}`;
        const displayName = `Bench Person${i}`;
        if (i === o) await asOwner.registerHandle({ handle, accountId: account!.id, displayName });
        else rows.push({ handle, ...sealPersonalData(keyring, handle, account!.id, owner), displayName, network: "paymesh" });
        names.push(handle);
      }
    }),
  );
  const database = await openDatabase({ url: mesh.databaseUrl("handles"), schema, max: 1 });
  try {
    await database.db.insert(schema.handles).values(rows);
  } finally {
    await database.close();
  }
  return names;
}
