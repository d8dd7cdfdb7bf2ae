import { randomUUID } from "node:crypto";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, type ConnectError } from "@connectrpc/connect";
import { type PostingError, PostingErrorReason, PostingErrorSchema } from "@paymesh/gen/paymesh/ledger/v1/errors_pb";
import { type Account, type EntryError, EntryStatus, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { type DomainError, MAX_PAGE_SIZE } from "@paymesh/runtime";
import { connectErrorOf, mintTestToken } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type LedgerFixture, startLedgerFixture } from "../test/start-ledger-fixture.js";
import { createPostingEngine } from "./create-posting-engine.js";
import { postingErrorOf } from "./posting-refusal.js";

let f: LedgerFixture;
beforeAll(async () => {
  f = await startLedgerFixture({ LEDGER_EXPIRY_INTERVAL_MS: "50" });
});
afterAll(() => f.stop());

const balances = async (account: Account) => (await f.ops.getAccount({ id: account.id })).account!.balances!;
/** The typed refusal a failed call carries, which callers decide by instead of the message. */
const refusalOf = (error: ConnectError): PostingError | undefined => error.findDetails(PostingErrorSchema)[0];
const reasonOf = async (call: Promise<unknown>) => refusalOf(await connectErrorOf(call))?.reason;

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

  it("tells a user whose id is taken by someone else's account nothing about that account", async () => {
    const held = [
      (await f.as("alice").createAccount({ id: randomUUID(), currency: "USD", code: "wallet" })).account!,
      (await f.ops.createAccount({ id: randomUUID(), currency: "EUR", owner: "carol", code: "savings", metadata: { tier: "gold" } }))
        .account!,
      (await f.ops.createAccount({ id: randomUUID(), currency: "USD", owner: "bank", flags: { creditsMustNotExceedDebits: true } }))
        .account!,
    ];
    await f.ledger.context.database.sql`update accounts set status = 'closed' where id = ${held[1]!.id}`;
    const answers = new Set<string>();
    for (const account of held) {
      // The request mirrors the account but for its owner, and then differs from it as well.
      for (const request of [
        { currency: account.currency, code: account.code },
        { currency: "JPY", code: "x" },
      ]) {
        const refused = await connectErrorOf(f.as("mallory").createAccount({ id: account.id.toUpperCase(), ...request }));
        expect(refused.code).toBe(Code.AlreadyExists);
        answers.add(refused.rawMessage.replace(account.id, "<id>"));
      }
      // And it still exists, unchanged, as its owner's.
      expect((await f.ops.getAccount({ id: account.id })).account).toMatchObject({ owner: account.owner, currency: account.currency });
    }
    expect([...answers]).toEqual(["account id <id> is already in use; choose another id, or leave id empty for the ledger to choose one"]);
    // Their own account under the id is theirs to hear about; anyone else's is not, here or in GetAccount.
    expect((await connectErrorOf(f.as("alice").createAccount({ id: held[0]!.id, currency: "EUR" }))).rawMessage).toMatch(/currency/);
    expect((await connectErrorOf(f.as("mallory").getAccount({ id: held[0]!.id }))).code).toBe(Code.PermissionDenied);
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
    expect(seen).toEqual([...seen].sort());
    const first = await f.as("pager").listAccounts({ pageSize: 2 });
    const refused = async (request: Parameters<LedgerFixture["ops"]["listAccounts"]>[0], client = f.as("pager")) =>
      (await connectErrorOf(client.listAccounts(request))).code;
    expect(await refused({ pageToken: "forged" })).toBe(Code.InvalidArgument);
    expect(await refused({ pageSize: MAX_PAGE_SIZE + 1 })).toBe(Code.InvalidArgument);
    // A token continues the list of the owner it came from, not another's.
    expect(await refused({ owner: "bank", pageToken: first.nextPageToken }, f.ops)).toBe(Code.InvalidArgument);
    expect((await f.ops.listAccounts({ owner: "pager", pageToken: first.nextPageToken })).accounts.map((a) => a.id)).toEqual(seen.slice(2));
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
    expect((await connectErrorOf(f.as("mallory").getEntry({ entryId: entry!.entryId }))).code).toBe(Code.PermissionDenied);
  });

  it("counts the entries it creates on /metrics, and not their replays", async () => {
    const created = async () => {
      const text = await (await fetch(`${f.ledger.url}/metrics`)).text();
      return Number(/^ledger_entries_created_total\{[^}]*status="posted"[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0);
    };
    const a = await f.wallet("gina", 1_000n);
    const b = await f.wallet("hank");
    const before = await created();
    const { entry } = await f.transfer(a.id, b.id, 10n);
    await f.transfer(a.id, b.id, 10n, { entryId: entry!.entryId });
    expect((await created()) - before).toBe(1);
  });

  it("shows a user each entry's lines on other people's accounts without their account ids", async () => {
    const a = await f.wallet("erin", 1_000n);
    const b = await f.wallet("frank");
    const { entry } = await f.transfer(a.id, b.id, 250n);
    const lines = (seen: { lines: Array<{ accountId: string; amount: bigint; side: Side }> } | undefined) =>
      seen!.lines.map(({ accountId, amount, side }) => ({ accountId, amount, side }));
    expect(lines((await f.ops.getEntry({ entryId: entry!.entryId })).entry)).toEqual([
      { accountId: a.id, amount: 250n, side: Side.DEBIT },
      { accountId: b.id, amount: 250n, side: Side.CREDIT },
    ]);
    expect(lines((await f.as("erin").getEntry({ entryId: entry!.entryId })).entry)).toEqual([
      { accountId: a.id, amount: 250n, side: Side.DEBIT },
      { accountId: "", amount: 250n, side: Side.CREDIT },
    ]);
    expect(lines((await f.as("frank").getEntry({ entryId: entry!.entryId })).entry)).toEqual([
      { accountId: "", amount: 250n, side: Side.DEBIT },
      { accountId: b.id, amount: 250n, side: Side.CREDIT },
    ]);
  });

  it("refuses bad input with the right code and changes nothing", async () => {
    const a = await f.wallet("gina", 500n);
    const b = await f.wallet("hank");
    const eur = await f.wallet("ivan", 0n, "EUR");
    const closed = await f.wallet("jo");
    // An account closed directly in the database: there is no close RPC yet.
    await f.ledger.context.database.sql`update accounts set status = 'closed' where id = ${closed.id}`;
    const line = (accountId: string, amount: bigint, side: Side) => ({ accountId, amount, side });
    const unknown = randomUUID();
    // The detail a refusal must carry; validation failures (caught before the ledger looks at
    // accounts) carry none.
    const cases: Array<[string, Parameters<typeof f.ops.postEntry>[0], Code, RegExp, Partial<PostingError>?]> = [
      [
        "unbalanced",
        { entryId: randomUUID(), lines: [line(a.id, 10n, Side.DEBIT), line(b.id, 9n, Side.CREDIT)] },
        Code.InvalidArgument,
        /does not balance in USD/,
        { reason: PostingErrorReason.ENTRY_UNBALANCED, currency: "USD", accountIds: [a.id, b.id] },
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
        { entryId: randomUUID(), lines: [line(a.id, 5n, Side.DEBIT), line(unknown, 5n, Side.CREDIT)] },
        Code.NotFound,
        /not found/,
        { reason: PostingErrorReason.ACCOUNT_NOT_FOUND, accountIds: [unknown] },
      ],
      [
        "closed account",
        { entryId: randomUUID(), lines: [line(a.id, 5n, Side.DEBIT), line(closed.id, 5n, Side.CREDIT)] },
        Code.FailedPrecondition,
        /closed/,
        { reason: PostingErrorReason.ACCOUNT_CLOSED, accountIds: [closed.id], currency: "USD" },
      ],
      [
        "mixed currency",
        { entryId: randomUUID(), lines: [line(a.id, 5n, Side.DEBIT), line(eur.id, 5n, Side.CREDIT)] },
        Code.InvalidArgument,
        /does not balance/,
        { reason: PostingErrorReason.ENTRY_UNBALANCED },
      ],
      [
        "insufficient funds",
        { entryId: randomUUID(), lines: [line(a.id, 501n, Side.DEBIT), line(b.id, 501n, Side.CREDIT)] },
        Code.FailedPrecondition,
        /insufficient funds/,
        { reason: PostingErrorReason.INSUFFICIENT_FUNDS, accountIds: [a.id], currency: "USD" },
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
    for (const [name, request, code, message, detail] of cases) {
      const error = await connectErrorOf(f.ops.postEntry(request));
      expect({ name, code: error.code }).toEqual({ name, code });
      expect(error.rawMessage, name).toMatch(message);
      if (detail === undefined) expect(refusalOf(error), name).toBeUndefined();
      else expect(refusalOf(error), name).toMatchObject({ ...detail, entryId: request.entryId });
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
    expect(refusalOf(error)).toMatchObject({ reason: PostingErrorReason.AMOUNT_OVERFLOW, accountIds: [from.id] });
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
    expect(refusalOf(changed)).toMatchObject({
      reason: PostingErrorReason.ENTRY_ID_REUSED,
      entryId: request.entryId,
      field: "lines[1].amount",
    });
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
    const batch = [entry(10n), entry(1000n), entry(20n, true), entry(500n), entry(5n, true), entry(5n)];
    const { results } = await f.ops.postEntries({ entries: batch });
    expect(results.map((r) => r.result.case)).toEqual(["entry", "error", "error", "error", "entry", "entry"]);
    const errorOf = (result: (typeof results)[number]) => result.result.value as EntryError;
    const shortOfFunds = { reason: PostingErrorReason.INSUFFICIENT_FUNDS, entryId: batch[3]!.entryId, accountIds: [a.id] };
    expect(errorOf(results[1]!)).toMatchObject({
      code: Code.FailedPrecondition,
      detail: { reason: PostingErrorReason.INSUFFICIENT_FUNDS, entryId: batch[1]!.entryId, accountIds: [a.id] },
    });
    // A linked entry refused for its partner's sake says so, and carries its partner's refusal.
    expect(errorOf(results[2]!).message).toMatch(/linked entry .* failed/);
    expect(errorOf(results[2]!)).toMatchObject({
      code: Code.FailedPrecondition,
      detail: { reason: PostingErrorReason.LINKED_ENTRY_FAILED, entryId: batch[2]!.entryId, linkedError: shortOfFunds },
    });
    expect(errorOf(results[3]!).detail).toMatchObject(shortOfFunds);
    expect((await balances(a)).balance).toBe(80n);
    const open = await f.ops.postEntries({ entries: [entry(1n), entry(1n, true)] });
    expect(open.results.map((r) => r.result.case)).toEqual(["entry", "error"]);
    expect(errorOf(open.results[1]!).message).toMatch(/not closed/);
    expect(errorOf(open.results[1]!).detail).toMatchObject({ reason: PostingErrorReason.LINKED_CHAIN_OPEN });
  });

  it("takes a batch over the server's 1 MiB request limit from an operator, and refuses it from a user before reading it", async () => {
    const a = await f.wallet("pia", 1_000n);
    const b = await f.wallet("quinn");
    // 1,000 entries with a full memo and eight long metadata values: about 4.7 MB.
    const entries = Array.from({ length: 1000 }, () => ({
      entryId: randomUUID(),
      lines: [
        { accountId: a.id, amount: 1n, side: Side.DEBIT },
        { accountId: b.id, amount: 1n, side: Side.CREDIT },
      ],
      memo: "m".repeat(500),
      metadata: Object.fromEntries(Array.from({ length: 8 }, (_, k) => [`key${k}`, "v".repeat(512)])),
    }));
    const refused = await connectErrorOf(f.as("pia").postEntries({ entries }));
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.rawMessage).toMatch(/larger than configured readMaxBytes 1048576/);
    const { results } = await f.ops.postEntries({ entries });
    expect(results.filter((r) => r.result.case === "entry")).toHaveLength(1000);
    expect((await balances(b)).balance).toBe(1000n);
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
    const dropped = await engine.submit([command], AbortSignal.abort()).catch((error: unknown) => error);
    expect(dropped).toMatchObject({ kind: "deadline_exceeded" });
    expect(postingErrorOf(dropped as DomainError)).toMatchObject({ reason: PostingErrorReason.DEADLINE_PASSED, entryId: id });
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
    expect(await reasonOf(f.transfer(a.id, b.id, 60n))).toBe(PostingErrorReason.INSUFFICIENT_FUNDS);
    const posted = await f.ops.postPending({ entryId: entry!.entryId });
    expect(posted.entry).toMatchObject({ status: EntryStatus.POSTED, postedAmounts: [60n, 60n] });
    expect(await balances(a)).toMatchObject({ balance: 40n, available: 40n, debitsPending: 0n });
    expect(await balances(b)).toMatchObject({ balance: 60n, available: 60n, creditsPending: 0n });
    // Posting again is a replay; voiding a posted entry is refused.
    expect((await f.ops.postPending({ entryId: entry!.entryId })).entry!.status).toBe(EntryStatus.POSTED);
    expect((await connectErrorOf(f.ops.voidPending({ entryId: entry!.entryId }))).code).toBe(Code.FailedPrecondition);
    expect(await reasonOf(f.ops.voidPending({ entryId: entry!.entryId }))).toBe(PostingErrorReason.PENDING_ENTRY_NOT_PENDING);
  });

  it("posts in part and releases the rest", async () => {
    const a = await f.wallet("tara", 100n);
    const b = await f.wallet("uma");
    const { entry } = await f.transfer(a.id, b.id, 80n, { pending: true, pendingTimeoutSeconds: 60 });
    expect((await connectErrorOf(f.ops.postPending({ entryId: entry!.entryId, amount: 81n }))).code).toBe(Code.InvalidArgument);
    expect(await reasonOf(f.ops.postPending({ entryId: entry!.entryId, amount: 81n }))).toBe(
      PostingErrorReason.PARTIAL_AMOUNT_EXCEEDS_RESERVED,
    );
    await f.ops.postPending({ entryId: entry!.entryId, amount: 30n });
    expect(await balances(a)).toMatchObject({ balance: 70n, available: 70n, debitsPending: 0n });
    expect(await balances(b)).toMatchObject({ balance: 30n, creditsPending: 0n });
    expect((await connectErrorOf(f.ops.postPending({ entryId: entry!.entryId, amount: 40n }))).code).toBe(Code.FailedPrecondition);
    expect(await reasonOf(f.ops.postPending({ entryId: entry!.entryId, amount: 40n }))).toBe(PostingErrorReason.POSTED_WITH_OTHER_AMOUNT);
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
    expect(await reasonOf(f.ops.postPending({ entryId: entry!.entryId }))).toBe(PostingErrorReason.PENDING_ENTRY_NOT_PENDING);
    const missing = randomUUID();
    expect((await connectErrorOf(f.ops.voidPending({ entryId: missing }))).code).toBe(Code.NotFound);
    expect(refusalOf(await connectErrorOf(f.ops.voidPending({ entryId: missing })))).toMatchObject({
      reason: PostingErrorReason.PENDING_ENTRY_NOT_FOUND,
      entryId: missing,
    });
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
    const late = await connectErrorOf(f.ops.postPending({ entryId: entry!.entryId }));
    expect(late.rawMessage).toMatch(/expired/);
    expect(refusalOf(late)).toMatchObject({ reason: PostingErrorReason.PENDING_ENTRY_EXPIRED, entryId: entry!.entryId });
  });
});
