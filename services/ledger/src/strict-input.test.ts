import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { connectErrorOf, mintTestToken } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LedgerFixture, startLedgerFixture } from "../test/start-ledger-fixture.js";

let f: LedgerFixture;
let funding: string;
let wallet: string;

beforeAll(async () => {
  f = await startLedgerFixture();
  funding = (await f.fundingAccount()).id;
  wallet = (await f.wallet("alice", 1_000n)).id;
});
afterAll(() => f.stop());

/** Everything a refused call must leave as it was: the rows of every table that requests write. */
async function state() {
  const { sql } = f.ledger.context.database;
  const [counts] = await sql`
    select (select count(*)::int from accounts) as accounts, (select count(*)::int from entries) as entries,
           (select count(*)::int from postings) as postings, (select coalesce(sum(credits_posted), 0)::text from accounts) as credits`;
  return { ...counts };
}

/** Anything that would say what the database or the server run underneath. */
const LEAK = /sql|postgres|relation|insert|select|byte sequence|encoding|utf8|0x00|stack|\.ts:/i;

describe("the ledger reads amounts strictly over Connect JSON", () => {
  const postEntry = async (amount: string) => {
    const res = await fetch(`${f.ledger.url}/paymesh.ledger.v1.LedgerService/PostEntry`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await mintTestToken("ops", "operator")}` },
      body: `{"entryId":"${randomUUID()}","lines":[{"accountId":"${funding}","amount":"7","side":"SIDE_DEBIT"},{"accountId":"${wallet}","amount":${amount},"side":"SIDE_CREDIT"}]}`,
    });
    return { status: res.status, body: (await res.json()) as { code?: string; message?: string } };
  };

  it("refuses a line amount in any form but the canonical decimal string, naming the line", async () => {
    const before = await state();
    for (const amount of ["7", "7.0", "7e0", '"07"', '"+7"', '" 7"', '"0x7"', '"7 "']) {
      const { status, body } = await postEntry(amount);
      expect({ amount, status, code: body.code }).toEqual({ amount, status: 400, code: "invalid_argument" });
      expect(body.message).toMatch(/^lines\[1\]\.amount: must be a JSON string of decimal digits/);
    }
    expect(await state()).toEqual(before);
    expect((await postEntry('"7"')).status).toBe(200);
  });
});

describe("the ledger refuses text no database can hold", () => {
  it("answers INVALID_ARGUMENT, naming the field, for a NUL in any string that reaches SQL, and changes nothing", async () => {
    const before = await state();
    const line = (accountId: string, side: Side) => ({ accountId, amount: 1n, side });
    const entry = (memo: string, metadata: Record<string, string> = {}) => ({
      entryId: randomUUID(),
      lines: [line(funding, Side.DEBIT), line(wallet, Side.CREDIT)],
      memo,
      metadata,
    });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["owner", () => f.ops.createAccount({ currency: "USD", owner: "mallory\u0000" })],
      ["code", () => f.as("alice").createAccount({ currency: "USD", code: "wallet\u0000" })],
      ['metadata["k"]', () => f.as("alice").createAccount({ currency: "USD", metadata: { k: "v\u0000" } })],
      ['metadata["k\\u0000"] (the key)', () => f.as("alice").createAccount({ currency: "USD", metadata: { "k\u0000": "v" } })],
      ["owner", () => f.ops.listAccounts({ owner: "alice\u0000" })],
      ["memo", () => f.ops.postEntry(entry("rent\u0000"))],
      ['metadata["ref"]', () => f.ops.postEntry(entry("rent", { ref: "\u0000" }))],
      ["entries[1].memo", () => f.ops.postEntries({ entries: [entry("fine"), entry("bad\u0000")] })],
    ];
    for (const [field, call] of calls) {
      const refused = await connectErrorOf(call());
      expect({ field, code: refused.code }).toEqual({ field, code: Code.InvalidArgument });
      expect(refused.rawMessage).toBe(`${field}: must not contain the character U+0000 (NUL)`);
      expect(refused.rawMessage).not.toMatch(LEAK);
    }
    expect(await state()).toEqual(before);
  });
});
