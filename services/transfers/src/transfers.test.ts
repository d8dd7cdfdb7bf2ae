import { randomUUID } from "node:crypto";
import { Code } from "@connectrpc/connect";
import { subjectFor } from "@paymesh/events";
import { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { FailureReason, type Transfer, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { MAX_PAGE_SIZE } from "@paymesh/runtime";
import { connectErrorOf } from "@paymesh/testkit";
import { and, eq } from "drizzle-orm";
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTransfersMesh, type TransfersMesh } from "../test/start-transfers-mesh.js";
import { createRecoveryWorker } from "./create-recovery-worker.js";
import { entryIdFor } from "./entry-id-for.js";
import { entryRequestFor } from "./entry-request-for.js";
import { requestFingerprint } from "./request-fingerprint.js";
import { limitUsage, transfers } from "./schema.js";
import { transferOf } from "./to-proto.js";
import type { TransferRequest } from "./transfer-request.js";
import { finishTransfer, recordTransfer } from "./transfer-store.js";

let m: TransfersMesh;

beforeAll(async () => {
  m = await startTransfersMesh();
});

afterAll(async () => {
  await m?.stop();
});

/** Both balances, to show a refused transfer moved nothing. */
const balancesOf = (...accountIds: string[]) => Promise.all(accountIds.map((id) => m.balance(id)));

const historyOf = async (client: TransfersMesh["operator"]): Promise<Transfer[]> => (await client.listTransfers({})).transfers;

describe("CreateTransfer", () => {
  it("pays a handle: the money moves once and both parties' histories show the transfer", async () => {
    const alice = await m.user("alice", { balance: 10_000n });
    const bob = await m.user("bob", { balance: 500n });
    const { transfer } = await alice.transfers.createTransfer({
      idempotencyKey: "pay-bob-1",
      fromAccountId: alice.accountId,
      to: { case: "toHandle", value: "@Bob" },
      amount: 1_234n,
      currency: "USD",
      memo: "lunch",
    });
    // The payer sees the payee as resolving the handle shows them: a masked name, not who or which account.
    expect(transfer).toMatchObject({
      status: TransferStatus.COMPLETED,
      failureReason: FailureReason.UNSPECIFIED,
      fromAccountId: alice.accountId,
      toAccountId: "",
      toHandle: "@bob",
      amount: 1_234n,
      currency: "USD",
      memo: "lunch",
      payer: "alice",
      payee: "",
      payeeMaskedDisplayName: "bob T.",
      entryId: entryIdFor(transfer!.id),
    });
    expect(await balancesOf(alice.accountId, bob.accountId)).toEqual([10_000n - 1_234n, 500n + 1_234n]);
    const { entry } = await m.ledger.getEntry({ entryId: transfer!.entryId });
    expect(entry!.lines.map((line) => [line.accountId, line.amount])).toEqual([
      [alice.accountId, 1_234n],
      [bob.accountId, 1_234n],
    ]);

    for (const who of [alice, bob]) {
      const seen = await vi.waitFor(
        async () => {
          const [first] = await historyOf(who.transfers);
          expect(first, `${who.subject}'s history to show the transfer`).toMatchObject({
            id: transfer!.id,
            status: TransferStatus.COMPLETED,
          });
          return first;
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(seen).toMatchObject({ amount: 1_234n, payer: "alice", memo: "lunch", payeeMaskedDisplayName: "bob T." });
      expect([seen!.payee, seen!.toAccountId]).toEqual(who === bob ? ["bob", bob.accountId] : ["", ""]);
    }
    // Payer and payee may read it; anyone else is refused without learning it exists.
    expect((await bob.transfers.getTransfer({ id: transfer!.id })).transfer!.status).toBe(TransferStatus.COMPLETED);
    const carol = m.transfersAs("carol");
    const denied = await connectErrorOf(carol.getTransfer({ id: transfer!.id }));
    const missing = await connectErrorOf(carol.getTransfer({ id: randomUUID() }));
    expect([denied.code, missing.code]).toEqual([Code.PermissionDenied, Code.PermissionDenied]);
    expect((await m.operator.getTransfer({ id: transfer!.id })).transfer).toMatchObject({ payee: "bob", toAccountId: bob.accountId });
    expect((await connectErrorOf(m.operator.getTransfer({ id: randomUUID() }))).code).toBe(Code.NotFound);
  });

  it("pays an account by id", async () => {
    const payer = await m.user("dora", { balance: 1_000n, handle: null });
    const payee = await m.user("ed", { balance: 0n, handle: null });
    const { transfer } = await payer.transfers.createTransfer({
      idempotencyKey: "by-account",
      fromAccountId: payer.accountId,
      to: { case: "toAccountId", value: payee.accountId.toUpperCase() },
      amount: 400n,
      currency: "USD",
    });
    // The account is the payer's to see (they named it); whose it is is not.
    expect(transfer).toMatchObject({ status: TransferStatus.COMPLETED, toAccountId: payee.accountId, toHandle: "", payee: "" });
    expect((await payee.transfers.getTransfer({ id: transfer!.id })).transfer).toMatchObject({ payer: "dora", payee: "ed" });
    expect(await balancesOf(payer.accountId, payee.accountId)).toEqual([600n, 400n]);
  });

  it("makes one transfer and one ledger entry from 20 concurrent requests with one key", async () => {
    const payer = await m.user("frank", { balance: 5_000n });
    const payee = await m.user("gina", { balance: 0n });
    const request = {
      idempotencyKey: "twenty-at-once",
      fromAccountId: payer.accountId,
      to: { case: "toHandle" as const, value: payee.handle },
      amount: 300n,
      currency: "USD",
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => payer.transfers.createTransfer(request)));
    const ids = new Set(results.map((r) => r.transfer!.id));
    expect(ids.size).toBe(1);
    expect(results.every((r) => r.transfer!.status === TransferStatus.COMPLETED)).toBe(true);
    expect(await balancesOf(payer.accountId, payee.accountId)).toEqual([4_700n, 300n]);
    // And later retries too.
    expect((await payer.transfers.createTransfer(request)).transfer!.id).toBe([...ids][0]);
    const history = await vi.waitFor(
      async () => {
        const list = await historyOf(payer.transfers);
        expect(
          list.map((t) => t.status),
          "the history to settle",
        ).toEqual([TransferStatus.COMPLETED]);
        return list;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(history.map((t) => t.id)).toEqual([...ids]);
  });

  it("refuses a changed request under a used key, naming what differs, and moves nothing more", async () => {
    const payer = await m.user("hank", { balance: 5_000n });
    const payee = await m.user("ivy", { balance: 0n });
    const base = {
      idempotencyKey: "reused",
      fromAccountId: payer.accountId,
      to: { case: "toHandle" as const, value: payee.handle },
      amount: 100n,
      currency: "USD",
      memo: "a",
    };
    const first = (await payer.transfers.createTransfer(base)).transfer!;
    const changed = await connectErrorOf(payer.transfers.createTransfer({ ...base, amount: 101n }));
    expect(changed.code).toBe(Code.AlreadyExists);
    expect(changed.rawMessage).toMatch(/amount/);
    const memo = await connectErrorOf(payer.transfers.createTransfer({ ...base, memo: "b" }));
    expect(memo.rawMessage).toMatch(/memo/);
    // The same key is another caller's own key: no clash.
    const other = await m.user("ivan", { balance: 1_000n });
    const theirs = (await other.transfers.createTransfer({ ...base, fromAccountId: other.accountId })).transfer!;
    expect(theirs.id).not.toBe(first.id);
    // Case and "@" are normalised before comparing: the same request.
    expect(
      (await payer.transfers.createTransfer({ ...base, to: { case: "toHandle", value: payee.handle.slice(1).toUpperCase() } })).transfer!
        .id,
    ).toBe(first.id);
    expect(await balancesOf(payer.accountId, payee.accountId)).toEqual([4_900n, 200n]);
  });

  describe("answers and moves nothing", () => {
    it("insufficient funds: a FAILED transfer, returned again for the same key", async () => {
      const payer = await m.user("jack", { balance: 99n });
      const payee = await m.user("kim", { balance: 0n });
      const request = {
        idempotencyKey: "too-much",
        fromAccountId: payer.accountId,
        to: { case: "toHandle" as const, value: payee.handle },
        amount: 100n,
        currency: "USD",
      };
      const { transfer } = await payer.transfers.createTransfer(request);
      expect(transfer).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.INSUFFICIENT_FUNDS });
      expect(transfer!.failureMessage).toMatch(/insufficient funds/);
      expect(await m.entryExists(transfer!.entryId)).toBe(false);
      expect(await balancesOf(payer.accountId, payee.accountId)).toEqual([99n, 0n]);
      expect((await payer.transfers.createTransfer(request)).transfer!.id).toBe(transfer!.id);
      // The payee sees that it failed, not why.
      const seen = (await payee.transfers.getTransfer({ id: transfer!.id })).transfer!;
      expect([seen.status, seen.failureReason, seen.failureMessage]).toEqual([TransferStatus.FAILED, FailureReason.UNSPECIFIED, ""]);
    });

    it("an unknown handle: FAILED, payee unavailable", async () => {
      const payer = await m.user("liam", { balance: 1_000n });
      const { transfer } = await payer.pay("@no-such-person", 10n, "nobody");
      expect(transfer).toMatchObject({
        status: TransferStatus.FAILED,
        failureReason: FailureReason.PAYEE_UNAVAILABLE,
        toAccountId: "",
        payee: "",
      });
      expect(await m.entryExists(transfer!.entryId)).toBe(false);
      expect(await m.balance(payer.accountId)).toBe(1_000n);
    });

    it("a deactivated handle: FAILED, payee unavailable", async () => {
      const payer = await m.user("mia", { balance: 1_000n });
      const payee = await m.user("noah", { balance: 0n });
      await m.handlesAs("noah").deactivateHandle({ handle: payee.handle });
      const { transfer } = await payer.pay(payee.handle, 10n, "gone");
      expect(transfer).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.PAYEE_UNAVAILABLE });
      expect(await balancesOf(payer.accountId, payee.accountId)).toEqual([1_000n, 0n]);
    });

    it("a zero amount: INVALID_ARGUMENT, nothing recorded", async () => {
      const payer = await m.user("olga", { balance: 1_000n });
      const error = await connectErrorOf(payer.pay("@mia", 0n, "zero"));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.rawMessage).toMatch(/amount/);
      expect(await m.balance(payer.accountId)).toBe(1_000n);
      // Nothing was recorded under the key: a corrected request may use it.
      const ok = await payer.pay("@mia", 1n, "zero");
      expect(ok.transfer!.status).toBe(TransferStatus.COMPLETED);
    });

    it("paying from someone else's account: PERMISSION_DENIED, like an account that does not exist", async () => {
      const victim = await m.user("pam", { balance: 1_000n });
      const thief = await m.user("quinn", { balance: 0n });
      const attempt = (fromAccountId: string) =>
        thief.transfers.createTransfer({
          idempotencyKey: randomUUID(),
          fromAccountId,
          to: { case: "toHandle", value: thief.handle },
          amount: 500n,
          currency: "USD",
        });
      const error = await connectErrorOf(attempt(victim.accountId));
      expect(error.code).toBe(Code.PermissionDenied);
      expect((await connectErrorOf(attempt(randomUUID()))).code).toBe(Code.PermissionDenied);
      expect(await balancesOf(victim.accountId, thief.accountId)).toEqual([1_000n, 0n]);
    });

    it("paying into the paying account itself: INVALID_ARGUMENT", async () => {
      const payer = await m.user("rita", { balance: 1_000n });
      const error = await connectErrorOf(payer.pay(payer.handle, 5n, "self"));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(await m.balance(payer.accountId)).toBe(1_000n);
    });

    it("a currency the accounts do not hold: FAILED, account unavailable", async () => {
      const payer = await m.user("sam", { balance: 1_000n });
      const euro = await m.user("tara", { balance: 0n, currency: "EUR", handle: "@tara-eur" });
      const wrongPayer = await payer.transfers.createTransfer({
        idempotencyKey: "eur",
        fromAccountId: payer.accountId,
        to: { case: "toHandle", value: euro.handle },
        amount: 5n,
        currency: "EUR",
      });
      const wrongPayee = await payer.pay(euro.handle, 5n, "usd");
      for (const { transfer } of [wrongPayer, wrongPayee]) {
        expect(transfer).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.ACCOUNT_UNAVAILABLE });
      }
      expect(await balancesOf(payer.accountId, euro.accountId)).toEqual([1_000n, 0n]);
    });
  });
});

describe("ListTransfers", () => {
  it("pages through the caller's transfers, sent and received, newest first", async () => {
    const payer = await m.user("uma", { balance: 10_000n });
    const friend = await m.user("vic", { balance: 10_000n });
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const from = i % 2 === 0 ? payer : friend;
      const to = i % 2 === 0 ? friend : payer;
      const { transfer } = await from.pay(to.handle, BigInt(i + 1), `page-${i}`);
      made.push(transfer!.id);
    }
    await vi.waitFor(
      async () => {
        const { transfers } = await payer.transfers.listTransfers({ pageSize: 100 });
        expect(
          transfers.filter((t) => t.status === TransferStatus.COMPLETED),
          "the history to catch up",
        ).toHaveLength(5);
      },
      { timeout: 10_000, interval: 50 },
    );
    const seen: string[] = [];
    let pageToken = "";
    do {
      const page = await payer.transfers.listTransfers({ pageSize: 2, pageToken });
      expect(page.transfers.length).toBeLessThanOrEqual(2);
      seen.push(...page.transfers.map((t) => t.id));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(seen).toEqual([...made].reverse());
    expect((await connectErrorOf(payer.transfers.listTransfers({ pageToken: "bogus" }))).code).toBe(Code.InvalidArgument);
    expect((await connectErrorOf(payer.transfers.listTransfers({ pageSize: MAX_PAGE_SIZE + 1 }))).code).toBe(Code.InvalidArgument);
    // A token continues the history of the caller it was issued to, even one who shares these transfers.
    const { nextPageToken } = await payer.transfers.listTransfers({ pageSize: 2 });
    expect((await connectErrorOf(friend.transfers.listTransfers({ pageToken: nextPageToken }))).code).toBe(Code.InvalidArgument);
  });
});

describe("recovery", () => {
  it("settles transfers a crash left INITIATED: completes posted and postable ones, fails refused ones, never posts twice", async () => {
    const payer = await m.user("yara", { balance: 1_000n });
    const payee = await m.user("zed", { balance: 0n });
    const subject = (event: string) => subjectFor(m.mesh.prefix, "transfers", event);
    const recorded = async (key: string, amount: bigint) => {
      const request: TransferRequest = {
        fromAccountId: payer.accountId,
        to: { kind: "handle", handle: payee.handle },
        amount,
        currency: "USD",
        memo: "",
      };
      const { row } = await recordTransfer(
        m.transfersDb,
        {
          id: uuidv7(),
          payer: "yara",
          idempotencyKey: key,
          requestFingerprint: requestFingerprint(request),
          request,
          toAccountId: payee.accountId,
          payee: "zed",
          payeeMaskedDisplayName: "zed T.",
        },
        new Date(),
        subject,
      );
      expect(row.status).toBe("initiated");
      return row;
    };
    // Crashed after the ledger applied the entry, before marking the transfer.
    const posted = await recorded("crash-after-post", 100n);
    await m.ledger.postEntry(entryRequestFor(posted));
    // Crashed before posting: one the payer can afford, one they cannot.
    const unposted = await recorded("crash-before-post", 200n);
    const unaffordable = await recorded("crash-unaffordable", 5_000n);

    const recovery = createRecoveryWorker({
      db: m.transfersDb,
      ledger: m.mesh.client(LedgerService, { url: m.ledgerUrl }, { subject: "transfers", role: "service" }),
      // Far enough ahead that these count as long in flight.
      now: () => new Date(Date.now() + 60_000),
      subject,
      logger: pino({ level: "silent" }),
    });
    expect(await recovery.runOnce()).toBe(3);
    expect(await recovery.runOnce()).toBe(0);

    const status = async (id: string) => (await payer.transfers.getTransfer({ id })).transfer!;
    expect((await status(posted.id)).status).toBe(TransferStatus.COMPLETED);
    expect((await status(unposted.id)).status).toBe(TransferStatus.COMPLETED);
    expect(await status(unaffordable.id)).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.INSUFFICIENT_FUNDS });
    expect(await m.entryExists(unaffordable.entryId)).toBe(false);
    expect(await balancesOf(payer.accountId, payee.accountId)).toEqual([700n, 300n]);
    // The failed one gave its limit usage back; the completed ones hold theirs.
    const [usage] = await m.transfersDb
      .select()
      .from(limitUsage)
      .where(and(eq(limitUsage.accountId, payer.accountId), eq(limitUsage.period, "day")));
    expect(usage!.used).toBe(300n);
    // A request handler that outlived its wait and settles late finds the transfer settled:
    // nothing changes and it writes no event (the events test below would see a second
    // terminal event otherwise).
    await expect(m.transfersDb.transaction((tx) => finishTransfer(tx, posted, undefined, new Date(), subject))).resolves.toBeUndefined();
    await expect(
      m.transfersDb.transaction((tx) => finishTransfer(tx, unaffordable, undefined, new Date(), subject)),
    ).resolves.toBeUndefined();
    // A client retrying the crashed request gets the settled transfer.
    const retried = await payer.pay(payee.handle, 100n, "crash-after-post");
    expect(retried.transfer).toMatchObject({ id: posted.id, status: TransferStatus.COMPLETED });
    expect(await balancesOf(payer.accountId, payee.accountId)).toEqual([700n, 300n]);
  });
});

describe("events", () => {
  it("follow each transfer's lifecycle: Initiated, then exactly one of Completed or Failed", async () => {
    const stored = await m.transfersDb.select().from(transfers);
    expect(stored.length).toBeGreaterThan(10);
    const events = await vi.waitFor(
      async () => {
        const all = await m.streamEvents();
        expect(all.filter((e) => e.type !== "initiated").length, "every transfer's events").toBeGreaterThanOrEqual(stored.length);
        return all;
      },
      { timeout: 10_000, interval: 50 },
    );
    const byTransfer = new Map<string, typeof events>();
    for (const event of events) byTransfer.set(event.transfer.id, [...(byTransfer.get(event.transfer.id) ?? []), event]);
    expect(new Set(byTransfer.keys())).toEqual(new Set(stored.map((row) => row.id)));
    for (const row of stored) {
      const lifecycle = byTransfer.get(row.id)!;
      expect(lifecycle.map((e) => e.type)).toEqual(["initiated", row.status]);
      expect(lifecycle[0]!.transfer.status).toBe(TransferStatus.INITIATED);
      expect(lifecycle[1]!.transfer).toEqual(transferOf(row));
    }
  });
});

describe("metrics", () => {
  it("counts every settled transfer once on /metrics, by status and failure reason", async () => {
    const read = async () => {
      const text = await (await fetch(`${m.transfersUrl}/metrics`)).text();
      const count = (status: string, reason: string) =>
        Number(
          new RegExp(`^transfers_settled_total\\{[^}]*status="${status}",reason="${reason}"[^}]*\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0,
        );
      return { completed: count("completed", "none"), short: count("failed", "insufficient_funds") };
    };
    const before = await read();
    const payer = await m.user("counted", { balance: 1_000n });
    await m.user("countee");
    await payer.pay("@countee", 600n, "counted-1");
    await payer.pay("@countee", 600n, "counted-2");
    // A replay answers the recorded transfer and counts nothing.
    await payer.pay("@countee", 600n, "counted-1");
    const after = await read();
    expect(after.completed - before.completed).toBe(1);
    expect(after.short - before.short).toBe(1);
  });
});
