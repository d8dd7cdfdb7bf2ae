import { Code } from "@connectrpc/connect";
import { FailureReason, type Transfer, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { connectErrorOf } from "@paymesh/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTransfersMesh, type TestUser, type TransfersMesh } from "../test/start-transfers-mesh.js";

let m: TransfersMesh;
/** The service's clock: the tests move it across UTC days and months. */
let now = new Date("2025-01-15T12:00:00.000Z");
let users = 0;

beforeAll(async () => {
  m = await startTransfersMesh({ transfers: { now: () => now } });
});

afterAll(async () => {
  await m?.stop();
});

const setPolicy = (currency: string, perTransactionMax: bigint, dailyMax: bigint, monthlyMax: bigint) =>
  m.operator.setLimitPolicy({ policy: { currency, perTransactionMax, dailyMax, monthlyMax } });

const pay = async (payer: TestUser, payee: TestUser, amount: bigint, currency = "USD"): Promise<Transfer> =>
  (
    await payer.transfers.createTransfer({
      idempotencyKey: crypto.randomUUID(),
      fromAccountId: payer.accountId,
      to: { case: "toHandle", value: payee.handle },
      amount,
      currency,
    })
  ).transfer!;

const newUser = (balance: bigint, currency = "USD") => {
  users += 1;
  return m.user(`limits-user-${users}`, { balance, currency, handle: `@limits-${currency.toLowerCase()}-${users}` });
};

describe("limit policy", () => {
  it("has documented defaults per currency, which operators and services may replace", async () => {
    expect((await m.operator.getLimitPolicy({ currency: "USD" })).policy).toMatchObject({
      currency: "USD",
      perTransactionMax: 1_000_000n,
      dailyMax: 2_000_000n,
      monthlyMax: 10_000_000n,
    });
    expect((await m.operator.getLimitPolicy({ currency: "JPY" })).policy).toMatchObject({
      perTransactionMax: 10_000n,
      dailyMax: 20_000n,
      monthlyMax: 100_000n,
    });
    const service = m.mesh.client(
      (await import("@paymesh/gen/paymesh/transfers/v1/transfers_pb")).TransferService,
      { url: m.transfersUrl! },
      { subject: "governance", role: "service" },
    );
    const { policy } = await service.setLimitPolicy({ policy: { currency: "GBP", perTransactionMax: 5n, dailyMax: 10n, monthlyMax: 20n } });
    expect(policy).toMatchObject({ currency: "GBP", perTransactionMax: 5n, dailyMax: 10n, monthlyMax: 20n });
    expect((await m.operator.getLimitPolicy({ currency: "GBP" })).policy!.dailyMax).toBe(10n);
    const user = m.transfersAs("someone");
    expect((await connectErrorOf(user.getLimitPolicy({ currency: "USD" }))).code).toBe(Code.PermissionDenied);
    expect(
      (await connectErrorOf(user.setLimitPolicy({ policy: { currency: "USD", perTransactionMax: 1n, dailyMax: 1n, monthlyMax: 1n } })))
        .code,
    ).toBe(Code.PermissionDenied);
    expect((await connectErrorOf(setPolicy("GBP", 11n, 10n, 20n))).code).toBe(Code.InvalidArgument);
    expect((await connectErrorOf(setPolicy("GBP", 0n, 10n, 20n))).code).toBe(Code.InvalidArgument);
  });
});

describe("limits", () => {
  it("refuse a transfer above the per-transaction maximum", async () => {
    await setPolicy("USD", 1_000n, 5_000n, 10_000n);
    const payer = await newUser(10_000n);
    const payee = await newUser(0n);
    const transfer = await pay(payer, payee, 1_001n);
    expect(transfer).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.LIMIT_EXCEEDED });
    expect(transfer.failureMessage).toMatch(/per-transaction limit of 10\.00 USD/);
    expect(await m.balance(payer.accountId)).toBe(10_000n);
    expect((await pay(payer, payee, 1_000n)).status).toBe(TransferStatus.COMPLETED);
  });

  it("count per UTC day: a limit reached just before midnight is free again just after it", async () => {
    await setPolicy("USD", 1_000n, 1_500n, 100_000n);
    const payer = await newUser(10_000n);
    const payee = await newUser(0n);
    now = new Date("2025-01-20T23:59:59.999Z");
    expect((await pay(payer, payee, 1_000n)).status).toBe(TransferStatus.COMPLETED);
    const refused = await pay(payer, payee, 501n);
    expect(refused).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.LIMIT_EXCEEDED });
    expect(refused.failureMessage).toMatch(/daily limit of 15\.00 USD/);
    expect(await m.entryExists(refused.entryId)).toBe(false);
    expect((await pay(payer, payee, 500n)).status).toBe(TransferStatus.COMPLETED);
    expect(await m.balance(payer.accountId)).toBe(8_500n);

    now = new Date("2025-01-21T00:00:00.000Z");
    expect((await pay(payer, payee, 1_000n)).status).toBe(TransferStatus.COMPLETED);
    expect((await pay(payer, payee, 501n)).failureReason).toBe(FailureReason.LIMIT_EXCEEDED);
    expect(await m.balance(payer.accountId)).toBe(7_500n);
    expect(await m.balance(payee.accountId)).toBe(2_500n);
  });

  it("count per UTC month", async () => {
    await setPolicy("USD", 1_000n, 1_000n, 2_500n);
    const payer = await newUser(10_000n);
    const payee = await newUser(0n);
    now = new Date("2025-02-27T10:00:00.000Z");
    expect((await pay(payer, payee, 1_000n)).status).toBe(TransferStatus.COMPLETED);
    now = new Date("2025-02-28T23:59:59.999Z");
    expect((await pay(payer, payee, 1_000n)).status).toBe(TransferStatus.COMPLETED);
    const daily = await pay(payer, payee, 600n);
    expect(daily.failureReason).toBe(FailureReason.LIMIT_EXCEEDED);
    expect(daily.failureMessage).toMatch(/daily/);
    now = new Date("2025-02-26T12:00:00.000Z"); // a day with nothing sent yet: the month is what stops it
    const stillMonthly = await pay(payer, payee, 600n);
    expect(stillMonthly.failureMessage).toMatch(/monthly limit of 25\.00 USD/);
    now = new Date("2025-03-01T00:00:00.000Z");
    expect((await pay(payer, payee, 1_000n)).status).toBe(TransferStatus.COMPLETED);
    expect(await m.balance(payer.accountId)).toBe(7_000n);
  });

  it("give the usage of a transfer that failed at the ledger back", async () => {
    await setPolicy("USD", 1_000n, 1_000n, 100_000n);
    now = new Date("2025-04-02T08:00:00.000Z");
    const payer = await newUser(500n);
    const payee = await newUser(0n);
    expect((await pay(payer, payee, 900n)).failureReason).toBe(FailureReason.INSUFFICIENT_FUNDS);
    // Had the 900 stayed counted, 500 more would cross the 1,000 daily limit.
    expect((await pay(payer, payee, 500n)).status).toBe(TransferStatus.COMPLETED);
  });

  it("hold under concurrency: of many transfers that together exceed the daily limit, exactly those that fit succeed", async () => {
    now = new Date("2025-05-10T09:00:00.000Z");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.bigInt({ min: 1n, max: 400n }), { minLength: 5, maxLength: 16 }),
        fc.bigInt({ min: 400n, max: 2_000n }),
        async (amounts, dailyMax) => {
          await setPolicy("USD", 400n, dailyMax, 1_000_000n);
          const payer = await newUser(1_000_000n);
          const payee = await newUser(0n);
          const results = await Promise.all(amounts.map((amount) => pay(payer, payee, amount)));
          const completed = results.filter((t) => t.status === TransferStatus.COMPLETED);
          const refused = results.filter((t) => t.status === TransferStatus.FAILED);
          const sent = completed.reduce((sum, t) => sum + t.amount, 0n);
          expect(completed.length + refused.length).toBe(amounts.length);
          expect(refused.every((t) => t.failureReason === FailureReason.LIMIT_EXCEEDED)).toBe(true);
          // Nothing over the limit went through, and nothing that still fits was turned away:
          // usage only grows, so whatever was refused would not fit on top of what went through.
          expect(sent).toBeLessThanOrEqual(dailyMax);
          for (const t of refused) expect(sent + t.amount).toBeGreaterThan(dailyMax);
          expect(await m.balance(payer.accountId)).toBe(1_000_000n - sent);
          expect(await m.balance(payee.accountId)).toBe(sent);
        },
      ),
      { numRuns: 6 },
    );
  }, 120_000);

  it("admit exactly the transfers that fit when all are equal", async () => {
    now = new Date("2025-06-01T09:00:00.000Z");
    await setPolicy("USD", 100n, 500n, 1_000_000n);
    const payer = await newUser(100_000n);
    const payee = await newUser(0n);
    const results = await Promise.all(Array.from({ length: 12 }, () => pay(payer, payee, 100n)));
    expect(results.filter((t) => t.status === TransferStatus.COMPLETED)).toHaveLength(5);
    expect(results.filter((t) => t.failureReason === FailureReason.LIMIT_EXCEEDED)).toHaveLength(7);
    expect(await m.balance(payee.accountId)).toBe(500n);
  });
});

describe("limit usage under contention", () => {
  it("answers every one of many concurrent transfers from one account, where those that fail give their usage back", async () => {
    await setPolicy("USD", 1_000_000n, 2_000_000n, 10_000_000n);
    // Enough for about half: the rest fail for insufficient funds and release the day and month
    // rows while others are reserving them, so any disagreement about the order those two rows
    // are locked in shows as a deadlock, answered as INTERNAL.
    const payer = await newUser(2_000n);
    const payee = await newUser(0n);
    const answers = await Promise.allSettled(Array.from({ length: 40 }, () => pay(payer, payee, 100n)));
    const refused = answers.filter((a) => a.status === "rejected").map((a) => String((a as PromiseRejectedResult).reason));
    expect(refused).toEqual([]);
    const transfers = answers.map((a) => (a as PromiseFulfilledResult<Transfer>).value);
    const completed = transfers.filter((t) => t.status === TransferStatus.COMPLETED);
    expect(completed).toHaveLength(20);
    expect(transfers.filter((t) => t.failureReason === FailureReason.INSUFFICIENT_FUNDS)).toHaveLength(20);
    // Only the completed ones count against the limits.
    await setPolicy("USD", 1_000n, 2_100n, 10_000_000n);
    expect((await pay(payer, payee, 100n)).failureReason).toBe(FailureReason.INSUFFICIENT_FUNDS);
  });
});
