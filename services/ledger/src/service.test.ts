import { randomUUID } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { type Account, EntryStatus, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { connectErrorOf, mintTestToken } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type LedgerFixture, startLedgerFixture } from "../test/start-ledger-fixture.js";
import { createPostingEngine } from "./create-posting-engine.js";

let f: LedgerFixture;
beforeAll(async () => {
  f = await startLedgerFixture({ LEDGER_EXPIRY_INTERVAL_MS: "50" });
});
afterAll(() => f.stop());

const balances = async (account: Account) => (await f.ops.getAccount({ id: account.id })).account!.balances!;

describe("operations", () => {
  it("reports readiness of Postgres, NATS and Redis, and outbox metrics", async () => {
    const ready = await fetch(`${f.ledger.url}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready", checks: { postgres: "ok", nats: "ok", redis: "ok" } });
    const metrics = await (await fetch(`${f.ledger.url}/metrics`)).text();
    expect(metrics).toMatch(/^outbox_pending_events\{service="ledger"\} \d+$/m);
    expect(metrics).toMatch(/^outbox_published_events\{service="ledger"\} \d+$/m);
  });
});

describe("accounts", () => {
  it("lets a user open only their own, never-overdrawn accounts", async () => {
    const alice = f.as("alice");
    const own = (await alice.createAccount({ currency: "EUR" })).account!;
    expect(own).toMatchObject({ owner: "alice", currencyExponent: 2, flags: { debitsMustNotExceedCredits: true } });
    expect((await connectErrorOf(alice.createAccount({ currency: "EUR", owner: "bob" }))).code).toBe(Code.PermissionDenied);
    expect((await connectErrorOf(alice.createAccount({ currency: "EUR", flags: { creditsMustNotExceedDebits: true } }))).code).toBe(
      Code.PermissionDenied,
    );
    expect((await connectErrorOf(alice.createAccount({ currency: "ZZZ" }))).rawMessage).toMatch(/ZZZ/);
    expect((await connectErrorOf(alice.createAccount({ currency: "usd" }))).code).toBe(Code.InvalidArgument);
  });

  it("knows each currency's minor unit", async () => {
    expect((await f.ops.createAccount({ currency: "JPY", owner: "x" })).account!.currencyExponent).toBe(0);
    expect((await f.ops.createAccount({ currency: "BHD", owner: "x" })).account!.currencyExponent).toBe(3);
  });

  it("is idempotent by client id and names the field that differs", async () => {
    const id = randomUUID();
    const first = (await f.ops.createAccount({ id, currency: "USD", owner: "carol", code: "wallet" })).account!;
    const again = (await f.ops.createAccount({ id, currency: "USD", owner: "carol", code: "wallet" })).account!;
    expect(again.id).toBe(first.id);
    const error = await connectErrorOf(f.ops.createAccount({ id, currency: "EUR", owner: "carol", code: "wallet" }));
    expect(error.code).toBe(Code.AlreadyExists);
    expect(error.rawMessage).toMatch(/currency/);
  });

  it("shows a user only their own accounts, without saying whether others exist", async () => {
    const bobs = await f.wallet("bob", 100n);
    const denied = await connectErrorOf(f.as("mallory").getAccount({ id: bobs.id }));
    const missing = await connectErrorOf(f.as("mallory").getAccount({ id: randomUUID() }));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(missing.code).toBe(Code.PermissionDenied);
    expect((await f.as("bob").getAccount({ id: bobs.id })).account!.balances!.balance).toBe(100n);
    expect((await connectErrorOf(f.as("mallory").listAccounts({ owner: "bob" }))).code).toBe(Code.PermissionDenied);
    expect((await f.as("bob").listAccounts({})).accounts.map((a) => a.id)).toContain(bobs.id);
    expect((await connectErrorOf(f.as("mallory").getBalance({ accountId: bobs.id }))).code).toBe(Code.PermissionDenied);
  });

  it("pages through an owner's accounts", async () => {
    for (let i = 0; i < 5; i++) await f.wallet("pager");
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await f.as("pager").listAccounts({ pageSize: 2, pageToken });
      seen.push(...page.accounts.map((a) => a.id));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(new Set(seen).size).toBe(5);
    expect((await connectErrorOf(f.as("pager").listAccounts({ pageToken: "forged" }))).code).toBe(Code.InvalidArgument);
  });
});

describe("posting", () => {
  it("needs the service or operator role", async () => {
    const wallet = await f.wallet("dave", 10n);
    const error = await connectErrorOf(
      f.as("dave").postEntry({
        entryId: randomUUID(),
        lines: [
          { accountId: wallet.id, amount: 1n, side: Side.DEBIT },
          { accountId: wallet.id, amount: 1n, side: Side.CREDIT },
        ],
      }),
    );
    expect(error.code).toBe(Code.PermissionDenied);
  });

  it("posts a balanced entry and moves both balances", async () => {
    const a = await f.wallet("erin", 1_000n);
    const b = await f.wallet("frank");
    const { entry } = await f.transfer(a.id, b.id, 250n);
    expect(entry!.status).toBe(EntryStatus.POSTED);
    expect((await balances(a)).balance).toBe(750n);
    expect((await balances(b)).balance).toBe(250n);
    expect((await f.ops.getEntry({ entryId: entry!.entryId })).entry!.lines).toHaveLength(2);
    expect((await f.as("erin").getEntry({ entryId: entry!.entryId })).entry!.entryId).toBe(entry!.entryId);
    expect((await connectErrorOf(f.as("mallory").getEntry({ entryId: entry!.entryId }))).code).toBe(Code.PermissionDenied);
  });

  it("refuses bad input with the right code and changes nothing", async () => {
    const a = await f.wallet("gina", 500n);
    const b = await f.wallet("hank");
    const eur = await f.wallet("ivan", 0n, "EUR");
    const closed = await f.wallet("jo");
    // An account closed directly in the database: there is no close RPC yet.
    await f.ledger.context.database.sql`update accounts set status = 'closed' where id = ${closed.id}`;
    const line = (accountId: string, amount: bigint, side: Side) => ({ accountId, amount, side });
    const cases: Array<[string, Parameters<typeof f.ops.postEntry>[0], Code, RegExp]> = [
      [
        "unbalanced",
        { entryId: randomUUID(), lines: [line(a.id, 10n, Side.DEBIT), line(b.id, 9n, Side.CREDIT)] },
        Code.InvalidArgument,
        /does not balance in USD/,
      ],
      [
        "zero amount",
        { entryId: randomUUID(), lines: [line(a.id, 0n, Side.DEBIT), line(b.id, 0n, Side.CREDIT)] },
        Code.InvalidArgument,
        /amount/,
      ],
      [
        "negative amount",
        { entryId: randomUUID(), lines: [line(a.id, -5n, Side.DEBIT), line(b.id, -5n, Side.CREDIT)] },
        Code.InvalidArgument,
        /amount/,
      ],
      [
        "unknown account",
        { entryId: randomUUID(), lines: [line(a.id, 5n, Side.DEBIT), line(randomUUID(), 5n, Side.CREDIT)] },
        Code.NotFound,
        /not found/,
      ],
      [
        "closed account",
        { entryId: randomUUID(), lines: [line(a.id, 5n, Side.DEBIT), line(closed.id, 5n, Side.CREDIT)] },
        Code.FailedPrecondition,
        /closed/,
      ],
      [
        "mixed currency",
        { entryId: randomUUID(), lines: [line(a.id, 5n, Side.DEBIT), line(eur.id, 5n, Side.CREDIT)] },
        Code.InvalidArgument,
        /does not balance/,
      ],
      [
        "insufficient funds",
        { entryId: randomUUID(), lines: [line(a.id, 501n, Side.DEBIT), line(b.id, 501n, Side.CREDIT)] },
        Code.FailedPrecondition,
        /insufficient funds/,
      ],
      ["one line", { entryId: randomUUID(), lines: [line(a.id, 5n, Side.DEBIT)] }, Code.InvalidArgument, /lines/],
      ["missing id", { entryId: "", lines: [line(a.id, 5n, Side.DEBIT), line(b.id, 5n, Side.CREDIT)] }, Code.InvalidArgument, /entry_id/],
      [
        "malformed id",
        { entryId: "not-a-uuid", lines: [line(a.id, 5n, Side.DEBIT), line(b.id, 5n, Side.CREDIT)] },
        Code.InvalidArgument,
        /entry_id/,
      ],
      [
        "no side",
        { entryId: randomUUID(), lines: [line(a.id, 5n, Side.UNSPECIFIED), line(b.id, 5n, Side.CREDIT)] },
        Code.InvalidArgument,
        /side/,
      ],
      [
        "pending without timeout",
        { entryId: randomUUID(), pending: true, lines: [line(a.id, 5n, Side.DEBIT), line(b.id, 5n, Side.CREDIT)] },
        Code.InvalidArgument,
        /pending_timeout_seconds/,
      ],
    ];
    for (const [name, request, code, message] of cases) {
      const error = await connectErrorOf(f.ops.postEntry(request));
      expect({ name, code: error.code }).toEqual({ name, code });
      expect(error.rawMessage, name).toMatch(message);
    }
    const tooMany = await connectErrorOf(
      f.ops.postEntries({
        entries: Array.from({ length: 1001 }, () => ({
          entryId: randomUUID(),
          lines: [line(a.id, 1n, Side.DEBIT), line(b.id, 1n, Side.CREDIT)],
        })),
      }),
    );
    expect(tooMany.code).toBe(Code.InvalidArgument);
    expect(tooMany.rawMessage).toMatch(/entries/);
    expect(await balances(a)).toMatchObject({ balance: 500n, debitsPending: 0n });
    expect(await balances(b)).toMatchObject({ balance: 0n, creditsPending: 0n });
  });

  it("refuses an amount beyond int64 on the wire, and totals that would overflow", async () => {
    const res = await fetch(`${f.ledger.url}/paymesh.ledger.v1.LedgerService/PostEntry`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "connect-protocol-version": "1",
        authorization: `Bearer ${await mintTestToken("ops", "operator")}`,
      },
      body: JSON.stringify({
        entryId: randomUUID(),
        lines: [
          { accountId: randomUUID(), amount: "9223372036854775808", side: "SIDE_DEBIT" },
          { accountId: randomUUID(), amount: "9223372036854775808", side: "SIDE_CREDIT" },
        ],
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("invalid_argument");
    const big = 2n ** 62n;
    const from = await f.fundingAccount();
    const to = await f.wallet("kim");
    await f.transfer(from.id, to.id, big);
    await f.transfer(from.id, to.id, big - 1n);
    const error = await connectErrorOf(f.transfer(from.id, to.id, big));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toMatch(/overflow/);
  });

  it("posting the same entry_id 20 times at once has one effect", async () => {
    const a = await f.wallet("lena", 100n);
    const b = await f.wallet("max");
    const request = {
      entryId: randomUUID(),
      lines: [
        { accountId: a.id, amount: 30n, side: Side.DEBIT },
        { accountId: b.id, amount: 30n, side: Side.CREDIT },
      ],
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => f.ops.postEntry(request)));
    expect(new Set(results.map((r) => r.entry!.entryId)).size).toBe(1);
    expect((await balances(a)).balance).toBe(70n);
    expect((await balances(b)).balance).toBe(30n);
    const changed = await connectErrorOf(
      f.ops.postEntry({ ...request, lines: [request.lines[0]!, { ...request.lines[1]!, amount: 31n }] }),
    );
    expect(changed.code).toBe(Code.AlreadyExists);
    expect(changed.rawMessage).toMatch(/lines\[1\]\.amount/);
    const memo = await connectErrorOf(f.ops.postEntry({ ...request, memo: "different" }));
    expect(memo.rawMessage).toMatch(/memo/);
  });

  it("applies a batch with a result per entry, linked chains all or nothing", async () => {
    const a = await f.wallet("nina", 100n);
    const b = await f.wallet("otto");
    const entry = (amount: bigint, linked = false) => ({
      entryId: randomUUID(),
      linked,
      lines: [
        { accountId: a.id, amount, side: Side.DEBIT },
        { accountId: b.id, amount, side: Side.CREDIT },
      ],
    });
    const { results } = await f.ops.postEntries({
      entries: [entry(10n), entry(1000n), entry(20n, true), entry(500n), entry(5n, true), entry(5n)],
    });
    expect(results.map((r) => r.result.case)).toEqual(["entry", "error", "error", "error", "entry", "entry"]);
    expect(results[1]!.result.value).toMatchObject({ code: Code.FailedPrecondition });
    expect((results[2]!.result.value as { message: string }).message).toMatch(/linked entry .* failed/);
    expect((await balances(a)).balance).toBe(80n);
    const open = await f.ops.postEntries({ entries: [entry(1n), entry(1n, true)] });
    expect(open.results.map((r) => r.result.case)).toEqual(["entry", "error"]);
    expect((open.results[1]!.result.value as { message: string }).message).toMatch(/not closed/);
  });

  it("drops a command whose caller's deadline passed before it was applied", async () => {
    const a = await f.wallet("dora", 100n);
    const b = await f.wallet("eli");
    const engine = createPostingEngine({
      sql: f.ledger.context.database.sql,
      subject: f.ledger.context.subject,
      logger: f.ledger.context.logger,
    });
    const id = randomUUID();
    const command = {
      kind: "post" as const,
      entry: {
        id,
        lines: [
          { accountId: a.id, amount: 10n, side: "debit" as const },
          { accountId: b.id, amount: 10n, side: "credit" as const },
        ],
        memo: "",
        metadata: {},
        pending: false,
        pendingTimeoutSeconds: 0,
        linked: false,
      },
    };
    await expect(engine.submit([command], AbortSignal.abort())).rejects.toMatchObject({ kind: "deadline_exceeded" });
    expect((await connectErrorOf(f.ops.getEntry({ entryId: id }))).code).toBe(Code.NotFound);
    expect((await balances(a)).balance).toBe(100n);
    expect((await engine.submit([command], new AbortController().signal))[0]).toMatchObject({ ok: true });
  });

  it("gives the balance at a past moment", async () => {
    const a = await f.wallet("pia", 100n);
    const b = await f.wallet("quinn");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await f.transfer(a.id, b.id, 40n);
    const past = await f.ops.getBalance({ accountId: a.id, asOf: timestampFromDate(before) });
    expect(past.balances!.balance).toBe(100n);
    expect((await f.ops.getBalance({ accountId: a.id })).balances!.balance).toBe(60n);
    expect((await f.ops.getBalance({ accountId: b.id, asOf: timestampFromDate(before) })).balances!.balance).toBe(0n);
  });
});

describe("two-phase entries", () => {
  it("reserves, then posts in full: balances and available right at each step", async () => {
    const a = await f.wallet("rose", 100n);
    const b = await f.wallet("sam");
    const { entry } = await f.transfer(a.id, b.id, 60n, { pending: true, pendingTimeoutSeconds: 60 });
    expect(entry!.status).toBe(EntryStatus.PENDING);
    expect(await balances(a)).toMatchObject({ balance: 100n, available: 40n, debitsPending: 60n });
    expect(await balances(b)).toMatchObject({ balance: 0n, available: 0n, creditsPending: 60n });
    // The reservation counts against available: a second 60 does not fit.
    expect((await connectErrorOf(f.transfer(a.id, b.id, 60n))).code).toBe(Code.FailedPrecondition);
    const posted = await f.ops.postPending({ entryId: entry!.entryId });
    expect(posted.entry).toMatchObject({ status: EntryStatus.POSTED, postedAmounts: [60n, 60n] });
    expect(await balances(a)).toMatchObject({ balance: 40n, available: 40n, debitsPending: 0n });
    expect(await balances(b)).toMatchObject({ balance: 60n, available: 60n, creditsPending: 0n });
    // Posting again is a replay; voiding a posted entry is refused.
    expect((await f.ops.postPending({ entryId: entry!.entryId })).entry!.status).toBe(EntryStatus.POSTED);
    expect((await connectErrorOf(f.ops.voidPending({ entryId: entry!.entryId }))).code).toBe(Code.FailedPrecondition);
  });

  it("posts in part and releases the rest", async () => {
    const a = await f.wallet("tara", 100n);
    const b = await f.wallet("uma");
    const { entry } = await f.transfer(a.id, b.id, 80n, { pending: true, pendingTimeoutSeconds: 60 });
    expect((await connectErrorOf(f.ops.postPending({ entryId: entry!.entryId, amount: 81n }))).code).toBe(Code.InvalidArgument);
    await f.ops.postPending({ entryId: entry!.entryId, amount: 30n });
    expect(await balances(a)).toMatchObject({ balance: 70n, available: 70n, debitsPending: 0n });
    expect(await balances(b)).toMatchObject({ balance: 30n, creditsPending: 0n });
    expect((await connectErrorOf(f.ops.postPending({ entryId: entry!.entryId, amount: 40n }))).code).toBe(Code.FailedPrecondition);
  });

  it("voids", async () => {
    const a = await f.wallet("vic", 100n);
    const b = await f.wallet("wes");
    const { entry } = await f.transfer(a.id, b.id, 70n, { pending: true, pendingTimeoutSeconds: 60 });
    const voided = await f.ops.voidPending({ entryId: entry!.entryId });
    expect(voided.entry!.status).toBe(EntryStatus.VOIDED);
    expect(await balances(a)).toMatchObject({ balance: 100n, available: 100n, debitsPending: 0n });
    expect(await balances(b)).toMatchObject({ balance: 0n, creditsPending: 0n });
    expect((await connectErrorOf(f.ops.postPending({ entryId: entry!.entryId }))).code).toBe(Code.FailedPrecondition);
    expect((await connectErrorOf(f.ops.voidPending({ entryId: randomUUID() }))).code).toBe(Code.NotFound);
  });

  it("expires at its timeout and releases the reservation", async () => {
    const a = await f.wallet("xena", 100n);
    const b = await f.wallet("yuri");
    const { entry } = await f.transfer(a.id, b.id, 90n, { pending: true, pendingTimeoutSeconds: 1 });
    expect((await balances(a)).available).toBe(10n);
    await vi.waitFor(async () => expect((await f.ops.getEntry({ entryId: entry!.entryId })).entry!.status).toBe(EntryStatus.EXPIRED), {
      timeout: 5_000,
      interval: 100,
    });
    expect(await balances(a)).toMatchObject({ balance: 100n, available: 100n, debitsPending: 0n });
    expect(await balances(b)).toMatchObject({ creditsPending: 0n });
    expect((await connectErrorOf(f.ops.postPending({ entryId: entry!.entryId }))).rawMessage).toMatch(/expired/);
  });
});
