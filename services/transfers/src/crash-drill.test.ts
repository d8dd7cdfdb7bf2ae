import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Transfer, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { TEST_AUTH, type TestDatabase } from "@paymesh/testkit";
import fc from "fast-check";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { startTransfersMesh, type TestUser, type TransfersMesh } from "../test/start-transfers-mesh.js";
import { entryIdFor } from "./entry-id-for.js";

// The drill: the transfers service as its own process, under concurrent load, killed with
// SIGKILL (no shutdown, no cleanup) twice and restarted; then recovery must leave every transfer
// COMPLETED or FAILED, the ledger holding exactly the completed ones, and the events telling
// each transfer's lifecycle once.

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const RECOVERY_AFTER_MS = 1_500;

let m: TransfersMesh;
let database: TestDatabase;
let sql: postgres.Sql;
let child: ChildProcess | undefined;
let port: number;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function startChild(): Promise<void> {
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_NAME: database.name,
    EVENTS_SUBJECT_PREFIX: m.mesh.prefix,
    AUTH_JWT_SECRET: TEST_AUTH.secret,
    AUTH_ISSUER: TEST_AUTH.issuer,
    AUTH_AUDIENCE: TEST_AUTH.audience,
    LEDGER_URL: m.ledgerUrl,
    HANDLES_URL: m.handlesUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "error",
    SHUTDOWN_GRACE_MS: "1000",
    TRANSFERS_RECOVERY_AFTER_MS: String(RECOVERY_AFTER_MS),
    TRANSFERS_RECOVERY_INTERVAL_MS: "200",
  };
  const proc = spawn(process.execPath, ["--import", "tsx", MAIN], { env, stdio: ["ignore", "inherit", "inherit"] });
  child = proc;
  const exited = new Promise<never>((_, reject) =>
    proc.once("exit", (code, signal) => reject(new Error(`transfers exited early (${signal ?? code})`))),
  );
  await Promise.race([
    exited,
    vi.waitFor(
      async () => {
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        expect(ready, "the transfers process to be ready").toBe(true);
      },
      { timeout: 30_000, interval: 50 },
    ),
  ]);
  exited.catch(() => {});
}

async function killChild(): Promise<void> {
  const proc = child;
  if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise((resolve) => proc.once("exit", resolve));
  proc.kill("SIGKILL");
  await gone;
  child = undefined;
}

beforeAll(async () => {
  m = await startTransfersMesh({ transfers: false });
  // The mesh's, so the child's Redis keys (namespaced by its database) go with the mesh too.
  database = await m.mesh.database();
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  port = await freePort();
});

afterAll(async () => {
  await killChild();
  await sql?.end();
  await m?.stop();
});

interface Attempt {
  key: string;
  payer: TestUser;
  payee: TestUser;
  amount: bigint;
  answer?: Transfer;
}

it("SIGKILL mid-load, twice: every transfer ends COMPLETED or FAILED and the ledger agrees", async () => {
  // Some payers can afford everything, some run dry part-way, so both outcomes occur.
  const payers: TestUser[] = [];
  const initial = new Map<string, bigint>();
  for (let i = 0; i < 6; i++) {
    const balance = i % 2 === 0 ? 1_000_000n : 2_000n;
    payers.push(await m.user(`drill-payer-${i}`, { balance, handle: null }));
    initial.set(payers[i]!.accountId, balance);
  }
  const payees = [await m.user("drill-payee-a", { balance: 0n }), await m.user("drill-payee-b", { balance: 0n })];
  for (const payee of payees) initial.set(payee.accountId, 0n);
  const amounts = fc.sample(fc.bigInt({ min: 1n, max: 300n }), { numRuns: 5_000, seed: 42 });

  await startChild();
  const attempts: Attempt[] = [];
  const initiatedAtKill: number[] = [];

  /** Concurrent clients sending transfers (each with its own key) until stopped. */
  const load = (phase: number, workers: number) => {
    let running = true;
    const clients = new Map(payers.map((payer) => [payer.subject, m.transfersAs(payer.subject, `http://127.0.0.1:${port}`)]));
    const work = async (w: number) => {
      for (let n = 0; running; n++) {
        const payer = payers[(w + n) % payers.length]!;
        const attempt: Attempt = {
          key: `drill-${phase}-${w}-${n}`,
          payer,
          payee: payees[n % 2]!,
          amount: amounts[attempts.length % amounts.length]!,
        };
        attempts.push(attempt);
        try {
          attempt.answer = (await clients.get(payer.subject)!.createTransfer(request(attempt), { timeoutMs: 5_000 })).transfer;
        } catch (error) {
          // The process died under the call: the outcome is unknown to this client.
          if (!running) return;
          // (A connection reset is ABORTED.)
          expect([Code.Unavailable, Code.Aborted, Code.Internal, Code.Unknown, Code.Canceled, Code.DeadlineExceeded]).toContain(
            ConnectError.from(error).code,
          );
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const done = Promise.all(Array.from({ length: workers }, (_, w) => work(w)));
    return {
      stop: async () => {
        running = false;
        await done;
      },
    };
  };

  for (const phase of [1, 2]) {
    const running = load(phase, 16);
    // Kill once a good number of transfers went through this process.
    const before = attempts.filter((a) => a.answer).length;
    await vi.waitFor(() => expect(attempts.filter((a) => a.answer).length, "load to flow").toBeGreaterThanOrEqual(before + 40), {
      timeout: 30_000,
      interval: 50,
    });
    await killChild();
    const [row] = await sql<{ count: number }[]>`select count(*)::int as count from transfers where status = 'initiated'`;
    initiatedAtKill.push(row!.count);
    await running.stop();
    await startChild();
  }

  // Recovery settles what the kills left in flight.
  await vi.waitFor(
    async () =>
      expect(await sql`select 1 from transfers where status = 'initiated' limit 1`, "recovery to settle every transfer").toHaveLength(0),
    { timeout: 30_000, interval: 50 },
  );
  // Across the two kills something was caught in flight, so recovery really ran.
  expect(initiatedAtKill.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

  const rows = await sql<
    {
      id: string;
      idempotency_key: string;
      status: string;
      amount: string;
      from_account_id: string;
      to_account_id: string;
      entry_id: string;
    }[]
  >`
    select id, idempotency_key, status, amount::text, from_account_id, to_account_id, entry_id from transfers`;
  expect(rows.length).toBeGreaterThanOrEqual(80);
  expect(rows.every((row) => row.status === "completed" || row.status === "failed")).toBe(true);
  expect(new Set(rows.map((r) => r.status))).toEqual(new Set(["completed", "failed"]));

  // Exactly one ledger entry per completed transfer, none for failed ones.
  for (const row of rows) {
    expect(row.entry_id).toBe(entryIdFor(row.id));
    expect([row.id, await m.entryExists(row.entry_id)]).toEqual([row.id, row.status === "completed"]);
  }
  // And nothing else moved: every balance is its opening balance plus the completed transfers.
  const expected = new Map(initial);
  for (const row of rows.filter((r) => r.status === "completed")) {
    expected.set(row.from_account_id, expected.get(row.from_account_id)! - BigInt(row.amount));
    expected.set(row.to_account_id, expected.get(row.to_account_id)! + BigInt(row.amount));
  }
  for (const [accountId, balance] of expected) expect([accountId, await m.balance(accountId)]).toEqual([accountId, balance]);
  // A client that never heard back retries with its key and gets the recorded transfer; a
  // request that was never recorded is made now. Either way nothing happens twice.
  const byKey = new Map(rows.map((row) => [row.idempotency_key, row]));
  for (const attempt of attempts.filter((a) => a.answer === undefined).slice(0, 40)) {
    const client = m.transfersAs(attempt.payer.subject, `http://127.0.0.1:${port}`);
    const { transfer } = await client.createTransfer(request(attempt));
    const recorded = byKey.get(attempt.key);
    if (recorded !== undefined) expect(transfer!.id).toBe(recorded.id);
    expect([TransferStatus.COMPLETED, TransferStatus.FAILED]).toContain(transfer!.status);
  }
  for (const attempt of attempts.filter((a) => a.answer !== undefined)) {
    expect(byKey.get(attempt.key)?.id).toBe(attempt.answer!.id);
  }
  // The stream tells each transfer's lifecycle once: Initiated, then its final status.
  const all = await sql<{ id: string; status: string }[]>`select id, status from transfers`;
  const events = await vi.waitFor(
    async () => {
      const got = await m.streamEvents();
      expect(got.filter((e) => e.type !== "initiated").length, "every event on the stream").toBeGreaterThanOrEqual(all.length);
      return got;
    },
    { timeout: 30_000, interval: 50 },
  );
  const lifecycles = new Map<string, string[]>();
  for (const event of events) lifecycles.set(event.transfer.id, [...(lifecycles.get(event.transfer.id) ?? []), event.type]);
  expect(lifecycles.size).toBe(all.length);
  for (const row of all) expect([row.id, lifecycles.get(row.id)]).toEqual([row.id, ["initiated", row.status]]);
}, 180_000);

function request(attempt: Attempt) {
  return {
    idempotencyKey: attempt.key,
    fromAccountId: attempt.payer.accountId,
    to: { case: "toHandle" as const, value: attempt.payee.handle },
    amount: attempt.amount,
    currency: "USD",
  };
}
