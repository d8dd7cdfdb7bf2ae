// `npm run backup` / `npm run restore`, run as commands: the databases of a real mesh that moved
// money are dumped, restored into a fresh Postgres server, and hold the same rows there; the
// ledger's own reconcile command finds the restored books clean.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { databaseUrl } from "@paymesh/db";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { TransferService, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { createTestMesh, type PrivatePostgres, startPrivatePostgres, type TestMesh } from "@paymesh/testkit";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { governanceService } from "../services/governance/src/index.js";
import { handlesService } from "../services/handles/src/index.js";
import { ledgerService, reconcileLedger } from "../services/ledger/src/index.js";
import { notificationsService } from "../services/notifications/src/index.js";
import { transfersService } from "../services/transfers/src/index.js";

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, "..");
const SOURCE_SERVER = process.env.POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Runs an npm script of the repository as an operator would, with POSTGRES_URL set. */
async function npmRun(args: string[], serverUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec("npm", ["run", "--silent", ...args], {
      cwd: ROOT,
      env: { ...process.env, POSTGRES_URL: serverUrl, LOG_LEVEL: "silent" },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Row count of every table in every schema but the system ones, by `schema.table`. */
async function rowCounts(url: string): Promise<Record<string, number>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ schema: string; name: string }[]>`
      select table_schema as schema, table_name as name from information_schema.tables
       where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
       order by 1, 2`;
    const counts: Record<string, number> = {};
    for (const { schema, name } of tables) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(schema)}.${sql(name)}`;
      counts[`${schema}.${name}`] = row!.n;
    }
    return counts;
  } finally {
    await sql.end();
  }
}

let mesh: TestMesh;
let fresh: PrivatePostgres;
let dir: string;
/** The mesh's databases, by service. */
const source: Record<string, string> = {};

beforeAll(async () => {
  mesh = await createTestMesh();
  dir = await mkdtemp(join(tmpdir(), "paymesh-backup-"));
  const ledgerRunning = await mesh.start(ledgerService);
  const handlesRunning = await mesh.start(handlesService);
  const transfersRunning = await mesh.start(transfersService);
  // Every service's database exists to be dumped; these two are stopped at once, so their
  // tables stay as they are while the dump and the counts are taken.
  const governanceRunning = await mesh.start(governanceService);
  const notificationsRunning = await mesh.start(notificationsService);
  await governanceRunning.stop();
  await notificationsRunning.stop();
  source.ledger = ledgerRunning.database.name;
  source.handles = handlesRunning.database.name;
  source.transfers = transfersRunning.database.name;
  source.governance = governanceRunning.database.name;
  source.notifications = notificationsRunning.database.name;

  // Money moved: a funded wallet with a handle pays another by handle.
  const ledger = mesh.client(LedgerService, ledgerRunning, { subject: "ops", role: "operator" });
  const funding = randomUUID();
  await ledger.createAccount({ id: funding, currency: "USD", owner: "bank", code: "funding", flags: { creditsMustNotExceedDebits: true } });
  const wallets: Record<string, string> = {};
  for (const subject of ["alice", "bob"]) {
    const accountId = randomUUID();
    wallets[subject] = accountId;
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
        { accountId: funding, amount: 10_000n, side: Side.DEBIT },
        { accountId, amount: 10_000n, side: Side.CREDIT },
      ],
    });
    await mesh
      .client(HandleService, handlesRunning, { subject })
      .registerHandle({ handle: `@${subject}`, accountId, displayName: subject });
  }
  const transfers = mesh.client(TransferService, transfersRunning, { subject: "alice" });
  for (const amount of [1_234n, 99n]) {
    const { transfer } = await transfers.createTransfer({
      idempotencyKey: randomUUID(),
      fromAccountId: wallets.alice!,
      to: { case: "toHandle", value: "@bob" },
      amount,
      currency: "USD",
    });
    expect(transfer?.status).toBe(TransferStatus.COMPLETED);
  }
  // The statement projection has caught up: the source's books agree before they are dumped.
  await vi.waitFor(async () => expect(await reconcileLedger(ledgerRunning.context.database.db)).toEqual([]), { timeout: 10_000 });
  await vi.waitFor(async () => expect((await transfers.listTransfers({})).transfers).toHaveLength(2), { timeout: 10_000 });
  fresh = await startPrivatePostgres();
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
  await fresh?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The services the mesh moved money through before the backup. */
const MONEY_MOVED = { handles: true, ledger: true, transfers: true };

describe("npm run backup / npm run restore", () => {
  it("dumps every service's database and restores them into a fresh server, row for row, with books that reconcile", async () => {
    const databaseArgs = Object.entries(source).flatMap(([service, name]) => ["--database", `${service}=${name}`]);
    const backup = await npmRun(["backup", "--", "--dir", dir, ...databaseArgs], SOURCE_SERVER);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain(`ledger: ${source.ledger} -> `);

    const restore = await npmRun(["restore", "--", "--dir", dir], fresh.url);
    expect(restore.code, restore.stderr).toBe(0);
    for (const service of ["handles", "ledger", "transfers"])
      expect(restore.stdout).toContain(`${service}: restored into paymesh_${service}`);

    for (const [service, name] of Object.entries(source)) {
      const before = await rowCounts(databaseUrl(SOURCE_SERVER, name));
      if (service in MONEY_MOVED) expect(before["public.outbox"], `${service} has events`).toBeGreaterThan(0);
      expect(await rowCounts(databaseUrl(fresh.url, `paymesh_${service}`)), service).toEqual(before);
    }

    // The ledger's own command, reading the restored server exactly as the service would.
    const reconcile = await npmRun(["reconcile", "-w", "@paymesh/ledger"], fresh.url);
    expect(reconcile.stdout + reconcile.stderr).toContain("no drift: the books agree");
    expect(reconcile.code).toBe(0);
  }, 120_000);

  it("refuses to restore over a database that exists, and changes nothing", async () => {
    const sql = postgres(databaseUrl(fresh.url, "paymesh_ledger"), { max: 1 });
    try {
      await sql`create table if not exists marker (id int)`;
      const again = await npmRun(["restore", "--", "--dir", dir, "ledger"], fresh.url);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("paymesh_ledger already exists");
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from marker`;
      expect(row!.n).toBe(0);
    } finally {
      await sql.end();
    }
  });

  it("restores one service under another name", async () => {
    const restore = await npmRun(["restore", "--", "--dir", dir, "--database", "transfers=paymesh_transfers_copy", "transfers"], fresh.url);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await rowCounts(databaseUrl(fresh.url, "paymesh_transfers_copy"))).toEqual(
      await rowCounts(databaseUrl(SOURCE_SERVER, source.transfers!)),
    );
  });

  it("names a bad --database and a missing --dir", async () => {
    const bad = await npmRun(["restore", "--", "--dir", dir, "--database", "ledger"], fresh.url);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--database ledger: expected <service>=<database name>");
    const noDir = await npmRun(["restore"], fresh.url);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toContain("--dir <dir> is required");
  });
});
