import { Code } from "@connectrpc/connect";
import { FailureReason, type Transfer, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { connectErrorOf, redisTestPrefix } from "@paymesh/testkit";
import { eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTransfersMesh, type TestUser, type TransfersMesh } from "../test/start-transfers-mesh.js";
import { transfers } from "./schema.js";

// A lookup bucket of 40 tokens, refilled at 1 a minute: two misses (20 each) empty it for the
// rest of the file.
const HANDLES_ENV = { HANDLES_BUCKET_CAPACITY: "40", HANDLES_BUCKET_REFILL_PER_MINUTE: "1" };
// The idempotency fast path under a key prefix of this file's, so a test can let claims lapse.
const claims = redisTestPrefix("transfers-privacy");
const claimsRedis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { keyPrefix: claims.prefix });

let m: TransfersMesh;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  m = await startTransfersMesh({ handlesEnv: HANDLES_ENV, transfers: { idempotencyRedis: claimsRedis } });
  alice = await m.user("alice", { balance: 1_000n });
  bob = await m.user("bob", { balance: 0n });
});

afterAll(async () => {
  await m?.stop();
  claimsRedis.disconnect();
  await claims.cleanup();
});

/** The transfer as alice's ListTransfers shows it, once the history has it settled. */
const inHistory = (who: TestUser, id: string) =>
  vi.waitFor(
    async () => {
      const found = (await who.transfers.listTransfers({})).transfers.find((t) => t.id === id);
      expect(found?.status, `${who.subject}'s history to show ${id} settled`).not.toBe(TransferStatus.INITIATED);
      expect(found).toBeDefined();
      return found!;
    },
    { timeout: 10_000, interval: 50 },
  );

const payerView = { payee: "", toAccountId: "", toHandle: "@bob", payeeMaskedDisplayName: "bob T." };

describe("what a transfer tells its payer about the payee", () => {
  it("shows a failed transfer's payer the masked name, never the payee's subject or account; the payee and the records see it whole", async () => {
    // Unaffordable: FAILED by the ledger, at no cost to the payer.
    const { transfer } = await alice.pay("@bob", 5_000n);
    const id = transfer!.id;
    expect(transfer).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.INSUFFICIENT_FUNDS, ...payerView });
    expect((await alice.transfers.getTransfer({ id })).transfer).toMatchObject(payerView);
    expect(await inHistory(alice, id)).toMatchObject(payerView);

    // The payee sees their own side (and not why it failed); an operator sees everything.
    const bobsSide = { payee: "bob", toAccountId: bob.accountId, payer: "alice", payeeMaskedDisplayName: "bob T." };
    expect((await bob.transfers.getTransfer({ id })).transfer).toMatchObject({ ...bobsSide, failureReason: FailureReason.UNSPECIFIED });
    expect(await inHistory(bob, id)).toMatchObject(bobsSide);
    expect((await m.operator.getTransfer({ id })).transfer).toMatchObject({ ...bobsSide, failureReason: FailureReason.INSUFFICIENT_FUNDS });

    // The records keep who was paid: the transfer row and every event.
    const [row] = await m.transfersDb.select().from(transfers).where(eq(transfers.id, id));
    expect(row).toMatchObject({ payee: "bob", toAccountId: bob.accountId, payeeMaskedDisplayName: "bob T." });
    const events = (await m.streamEvents()).filter((event) => event.transfer.id === id);
    expect(events.map((event) => [event.type, event.transfer.payee, event.transfer.toAccountId])).toEqual([
      ["initiated", "bob", bob.accountId],
      ["failed", "bob", bob.accountId],
    ]);
  });

  it("hides the same on a transfer failed before the ledger (a currency the accounts do not hold) and on a completed one", async () => {
    const { transfer: wrongCurrency } = await alice.transfers.createTransfer({
      idempotencyKey: "eur-to-bob",
      fromAccountId: alice.accountId,
      to: { case: "toHandle", value: "BOB" },
      amount: 1n,
      currency: "EUR",
    });
    expect(wrongCurrency).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.ACCOUNT_UNAVAILABLE, ...payerView });
    const { transfer: completed } = await alice.pay("@bob", 10n);
    expect(completed).toMatchObject({ status: TransferStatus.COMPLETED, ...payerView });
    for (const id of [wrongCurrency!.id, completed!.id]) expect(await inHistory(alice, id)).toMatchObject(payerView);
  });

  it("shows a payer who pays their own handle everything: the payee is them", async () => {
    const spare = await m.user("alice", { balance: 0n, handle: "@alice_spare" });
    const { transfer } = await alice.pay(spare.handle, 5n);
    expect(transfer).toMatchObject({ status: TransferStatus.COMPLETED, payee: "alice", toAccountId: spare.accountId });
  });
});

describe("transfers to handles are metered like lookups, against the payer", () => {
  let mallory: TestUser;
  let guesses: Transfer[];

  beforeAll(async () => {
    mallory = await m.user("mallory", { balance: 1_000n, handle: null });
    guesses = [];
    for (const handle of ["@guess_one", "@guess_two"]) guesses.push((await mallory.pay(handle, 1n, `guess ${handle}`)).transfer!);
  });

  const recordedFor = async (payer: string) => (await m.transfersDb.select().from(transfers).where(eq(transfers.payer, payer))).length;

  it("records misses as FAILED until the payer's bucket is empty, then refuses with RESOURCE_EXHAUSTED and records nothing", async () => {
    expect(guesses.map((t) => t.failureReason)).toEqual([FailureReason.PAYEE_UNAVAILABLE, FailureReason.PAYEE_UNAVAILABLE]);
    const before = { recorded: await recordedFor("mallory"), balance: await m.balance(mallory.accountId) };
    for (const handle of ["@guess_three", "@bob"]) {
      const refused = await connectErrorOf(mallory.pay(handle, 1n));
      expect(refused.code).toBe(Code.ResourceExhausted);
      expect(refused.rawMessage).toMatch(/try again in \d+ s/);
      expect(Number(refused.metadata.get("retry-after-ms"))).toBeGreaterThan(0);
    }
    expect({ recorded: await recordedFor("mallory"), balance: await m.balance(mallory.accountId) }).toEqual(before);
    // It is the bucket of mallory's own lookups, and nobody else's.
    expect((await connectErrorOf(m.handlesAs("mallory").resolveHandle({ handle: "bob" }))).code).toBe(Code.ResourceExhausted);
    expect((await alice.pay("@bob", 1n)).transfer!.status).toBe(TransferStatus.COMPLETED);
  });

  it("still answers a retry of a recorded transfer with it, even after the key's claim lapsed", async () => {
    // Within the claim the retry waits for the first request's transfer; after it, it goes to the
    // database, and the empty bucket must not stand between it and its transfer.
    expect((await mallory.pay("@guess_one", 1n, "guess @guess_one")).transfer!.id).toBe(guesses[0]!.id);
    await claims.cleanup();
    expect((await mallory.pay("@guess_two", 1n, "guess @guess_two")).transfer!.id).toBe(guesses[1]!.id);
    // A changed request under the key is still told apart.
    expect((await connectErrorOf(mallory.pay("@guess_two", 2n, "guess @guess_two"))).code).toBe(Code.AlreadyExists);
  });
});
