import { fromBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { streamNameFor } from "@paymesh/events";
import {
  AccountCreatedSchema,
  EntryPostedSchema,
  PendingPostedSchema,
  PendingVoidedSchema,
} from "@paymesh/gen/paymesh/ledger/v1/events_pb";
import { Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "@paymesh/runtime";
import { connectErrorOf } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type LedgerFixture, startLedgerFixture } from "../test/start-ledger-fixture.js";
import { rebuildStatements } from "./rebuild-statements.js";
import { reconcileLedger } from "./reconcile-ledger.js";

let f: LedgerFixture;
beforeAll(async () => {
  f = await startLedgerFixture();
});
afterAll(() => f.stop());

/** Every message on the ledger's stream, decoded by its type header. */
async function readStream() {
  const stream = streamNameFor(f.mesh.prefix, "ledger");
  const { state } = await f.mesh.nats.jsm.streams.info(stream);
  const out: Array<{ type: string; id: string; payload: Uint8Array }> = [];
  if (state.messages === 0) return out;
  const consumer = await f.mesh.nats.js.consumers.get(stream);
  const messages = await consumer.consume();
  for await (const msg of messages) {
    out.push({ type: msg.headers!.get("Paymesh-Event-Type"), id: msg.headers!.get("Nats-Msg-Id"), payload: msg.data });
    if (msg.seq >= state.last_seq) break;
  }
  await messages.close();
  return out;
}

describe("events and the statement projection", () => {
  it("publishes events that match the journal, and the statement table follows it exactly", async () => {
    const payers = await Promise.all(Array.from({ length: 4 }, (_, i) => f.wallet(`burst${i}`, 10_000n)));
    const payee = await f.wallet("shop");
    // A burst: 200 entries at once, many touching the same payee.
    await Promise.all(Array.from({ length: 200 }, (_, i) => f.transfer(payers[i % 4]!.id, payee.id, BigInt(1 + (i % 7)))));
    const pending = await f.transfer(payers[0]!.id, payee.id, 50n, { pending: true, pendingTimeoutSeconds: 60 });
    await f.ops.postPending({ entryId: pending.entry!.entryId, amount: 20n });
    const voided = await f.transfer(payers[1]!.id, payee.id, 5n, { pending: true, pendingTimeoutSeconds: 60 });
    await f.ops.voidPending({ entryId: voided.entry!.entryId });

    const sql = f.ledger.context.database.sql;
    const [{ entries } = { entries: "0" }] = await sql<{ entries: string }[]>`select count(*)::text as entries from entries`;
    // Wait for everything the burst caused: the relay publishes in batches, so the last
    // events can trail the first ones.
    const count = (list: Awaited<ReturnType<typeof readStream>>, type: string) => list.filter((e) => e.type === type).length;
    const events = await vi.waitFor(
      async () => {
        const list = await readStream();
        expect(count(list, EntryPostedSchema.typeName)).toBeGreaterThanOrEqual(Number(entries));
        expect(count(list, PendingPostedSchema.typeName)).toBeGreaterThanOrEqual(1);
        expect(count(list, PendingVoidedSchema.typeName)).toBeGreaterThanOrEqual(1);
        return list;
      },
      { timeout: 15_000, interval: 100 },
    );
    const posted = events.filter((e) => e.type === EntryPostedSchema.typeName).map((e) => fromBinary(EntryPostedSchema, e.payload));
    // One EntryPosted per journal entry, each id once, and the stream's lines are the journal's.
    expect(posted.map((e) => e.entry!.entryId).sort()).toEqual(
      (await sql<{ id: string }[]>`select id from entries order by id`).map((row) => row.id),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const streamPostings = posted.flatMap((e) => e.posted.map((p) => `${p.accountId}#${p.sequence}:${p.amount}:${p.balanceAfter}`));
    const pendingPosted = events
      .filter((e) => e.type === PendingPostedSchema.typeName)
      .map((e) => fromBinary(PendingPostedSchema, e.payload));
    streamPostings.push(...pendingPosted.flatMap((e) => e.posted.map((p) => `${p.accountId}#${p.sequence}:${p.amount}:${p.balanceAfter}`)));
    const journalPostings = await sql<{ key: string }[]>`
      select p.account_id || '#' || p.sequence || ':' || p.amount || ':' ||
             (case when a.credits_must_not_exceed_debits then p.debits_after - p.credits_after else p.credits_after - p.debits_after end) as key
      from postings p join accounts a on a.id = p.account_id`;
    expect(streamPostings.sort()).toEqual(journalPostings.map((row) => row.key).sort());
    expect(pendingPosted).toHaveLength(1);
    expect(events.filter((e) => e.type === PendingVoidedSchema.typeName)).toHaveLength(1);
    expect(events.filter((e) => e.type === AccountCreatedSchema.typeName).length).toBeGreaterThanOrEqual(5);

    // The projection catches up and then equals the journal: reconcile finds nothing.
    await vi.waitFor(async () => expect(await reconcileLedger(f.ledger.context.database.db)).toEqual([]), {
      timeout: 15_000,
      interval: 100,
    });

    // A rebuild replays the stream into the same table.
    const before = await sql`select * from statement_lines order by account_id, sequence`;
    const replayed = await rebuildStatements({
      db: f.ledger.context.database.db,
      js: f.mesh.nats.js,
      jsm: f.mesh.nats.jsm,
      stream: streamNameFor(f.mesh.prefix, "ledger"),
    });
    expect(replayed).toBe(events.length);
    expect(await sql`select * from statement_lines order by account_id, sequence`).toEqual(before);

    // The statement pages in order with running balances.
    const statement = await f.as("shop").listStatement({ accountId: payee.id, pageSize: 50 });
    expect(statement.lines).toHaveLength(50);
    expect(statement.lines.map((l) => l.sequence)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i + 1)));
    let running = 0n;
    for (const line of statement.lines) {
      running += line.side === Side.CREDIT ? line.amount : -line.amount;
      expect(line.balanceAfter).toBe(running);
    }
    const next = await f.as("shop").listStatement({ accountId: payee.id, pageSize: 50, pageToken: statement.nextPageToken });
    expect(next.lines[0]!.sequence).toBe(51n);

    // Default-sized pages continue each where the last ended, to the last line.
    const sequences: bigint[] = [];
    let pageToken = "";
    do {
      const page = await f.as("shop").listStatement({ accountId: payee.id, pageToken });
      expect(page.lines.length).toBeLessThanOrEqual(DEFAULT_PAGE_SIZE);
      sequences.push(...page.lines.map((l) => l.sequence));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    const [{ lines } = { lines: "0" }] = await sql<{ lines: string }[]>`
      select count(*)::text as lines from statement_lines where account_id = ${payee.id}`;
    expect(sequences).toEqual(Array.from({ length: Number(lines) }, (_, i) => BigInt(i + 1)));
  });

  it("pages a statement only with tokens issued for that statement", async () => {
    const payer = await f.wallet("pages_payer", 100n);
    const payee = await f.wallet("pages_payee");
    for (let i = 0; i < 3; i++) await f.transfer(payer.id, payee.id, 1n);
    const pages = f.as("pages_payee");
    const first = await vi.waitFor(
      async () => {
        const page = await pages.listStatement({ accountId: payee.id, pageSize: 2 });
        expect(page.nextPageToken, "the projection has the third line").not.toBe("");
        return page;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(first.lines.map((l) => l.sequence)).toEqual([1n, 2n]);
    const rest = await pages.listStatement({ accountId: payee.id, pageSize: 2, pageToken: first.nextPageToken });
    expect(rest).toMatchObject({ lines: [expect.objectContaining({ sequence: 3n })], nextPageToken: "" });

    const refusedWith = async (request: Parameters<typeof pages.listStatement>[0], client = pages) =>
      (await connectErrorOf(client.listStatement({ accountId: payee.id, ...request }))).code;
    expect(await refusedWith({ pageToken: "garbage" })).toBe(Code.InvalidArgument);
    expect(await refusedWith({ pageToken: Buffer.from('{"sequence":"1 or 1=1"}').toString("base64url") })).toBe(Code.InvalidArgument);
    expect(await refusedWith({ pageSize: MAX_PAGE_SIZE + 1 })).toBe(Code.InvalidArgument);
    // The token continues this account's statement over this range, nothing else.
    expect(await refusedWith({ pageToken: first.nextPageToken, startTime: timestampFromDate(new Date(0)) })).toBe(Code.InvalidArgument);
    expect(await refusedWith({ accountId: payer.id, pageToken: first.nextPageToken }, f.ops)).toBe(Code.InvalidArgument);
    // Nor another list: the bank owns a funding account per funded wallet, so its list has a next page.
    const accounts = await f.ops.listAccounts({ owner: "bank", pageSize: 1 });
    expect(accounts.nextPageToken).not.toBe("");
    expect(await refusedWith({ pageToken: accounts.nextPageToken }, f.ops)).toBe(Code.InvalidArgument);
  });

  it("reports drift when a balance is tampered with", async () => {
    const wallet = await f.wallet("victim", 100n);
    await f.transfer(wallet.id, (await f.wallet("other")).id, 10n);
    expect((await reconcileLedger(f.ledger.context.database.db)).filter((d) => d.check !== "statement projection")).toEqual([]);
    const sql = f.ledger.context.database.sql;
    await sql`alter table accounts drop constraint accounts_debits_within_credits`;
    await sql`update accounts set credits_posted = credits_posted + 1 where id = ${wallet.id}`;
    const drift = await reconcileLedger(f.ledger.context.database.db);
    expect(drift).toContainEqual(expect.objectContaining({ check: "posted totals", detail: expect.stringContaining(wallet.id) }));
    await sql`update accounts set credits_posted = credits_posted - 1 where id = ${wallet.id}`;
    await sql`delete from statement_lines where account_id = ${wallet.id}`;
    expect(await reconcileLedger(f.ledger.context.database.db)).toContainEqual(
      expect.objectContaining({ check: "statement projection", detail: expect.stringContaining("missing from the statement") }),
    );
  });

  it("the reconcile command exits non-zero on drift", async () => {
    const { execFile } = await import("node:child_process");
    const run = () =>
      new Promise<{ code: number; out: string }>((resolve) =>
        execFile(
          process.execPath,
          ["--import", "tsx", new URL("./commands/reconcile.ts", import.meta.url).pathname],
          { env: { ...process.env, DATABASE_NAME: f.ledger.database.name } },
          (error, stdout) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout }),
        ),
      );
    const result = await run();
    expect(result.out).toMatch(/DRIFT/);
    expect(result.code).toBe(1);
  });
});
