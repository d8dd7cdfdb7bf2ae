import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { FailureReason, type Transfer, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { connectErrorOf, type RedisServer, startRedisServer } from "@paymesh/testkit";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { startTransfersMesh, type TestUser, type TransfersMesh } from "../test/start-transfers-mesh.js";

// The fault drill: payments by handle under steady load from several clients while the Redis
// every service uses is SIGKILLed and, later, started again on the same port. Redis is a cache
// and a rate limiter here, so every payment must still be answered, and promptly (each call
// carries a 4 s deadline: a slow answer is a DEADLINE_EXCEEDED error, which the test refuses).
// Waiting on Redis, as the cache once did, took 10 s; a payment on this 2-core machine with the
// rest of the suite running beside it has been seen to take just over 2 s without any Redis wait.

const CLIENTS = 4;
const DEADLINE_MS = 4_000;

let redis: RedisServer;
let m: TransfersMesh;
let load: ReturnType<typeof payContinuously> | undefined;

beforeAll(async () => {
  redis = await startRedisServer();
  m = await startTransfersMesh({ redisUrl: redis.url });
});

afterAll(async () => {
  await load?.stop();
  await m?.stop();
  await redis?.stop();
});

/** Pays `to` 1 cent at a time from each payer, back to back, until stopped; keeps every answer. */
function payContinuously(payers: TestUser[], to: string) {
  let running = true;
  const transfers: Transfer[] = [];
  const errors: ConnectError[] = [];
  const loops = payers.map(async (payer) => {
    while (running) {
      try {
        const { transfer } = await payer.transfers.createTransfer(
          {
            idempotencyKey: randomUUID(),
            fromAccountId: payer.accountId,
            to: { case: "toHandle", value: to },
            amount: 1n,
            currency: "USD",
          },
          { timeoutMs: DEADLINE_MS },
        );
        transfers.push(transfer!);
      } catch (error) {
        errors.push(ConnectError.from(error));
      }
    }
  });
  return {
    transfers,
    /** Answers so far (transfers and errors). */
    answered: () => transfers.length + errors.length,
    /** Every answer so far was a transfer, COMPLETED: none failed, none was an error or missed its deadline. */
    expectAllPaid() {
      expect(errors.map((error) => `${Code[error.code]}: ${error.rawMessage}`)).toEqual([]);
      const unfinished = transfers.filter((transfer) => transfer.status !== TransferStatus.COMPLETED);
      expect(unfinished.map((t) => `${TransferStatus[t.status]} ${FailureReason[t.failureReason]}: ${t.failureMessage}`)).toEqual([]);
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** The handles service's resolution counters, by `<tier>:<result>`, from its /metrics. */
async function cacheLookups(): Promise<Record<string, number>> {
  const text = await (await fetch(`${m.handlesUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const [, labels, value] of text.matchAll(/^handles_cache_lookups_total\{([^}]*)\} (\S+)$/gm)) {
    const tier = /tier="(\w+)"/.exec(labels!)?.[1];
    const result = /result="(\w+)"/.exec(labels!)?.[1];
    counts[`${tier}:${result}`] = Number(value);
  }
  return counts;
}

const delta = (after: Record<string, number>, before: Record<string, number>, key: string) => (after[key] ?? 0) - (before[key] ?? 0);

async function handlesReadiness(): Promise<{ code: number; status: string; redis: string }> {
  const response = await fetch(`${m.handlesUrl}/readyz`);
  const body = (await response.json()) as { status: string; checks?: Record<string, string> };
  return { code: response.status, status: body.status, redis: body.checks?.redis ?? "" };
}

it("keeps paying by handle through a Redis outage, never serves a changed handle stale, and uses the cache again once Redis is back", async () => {
  const payers = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => m.user(`payer${i}`, { balance: 1_000_000n })));
  const carol = await m.user("carol", { balance: 0n });
  const dan = await m.user("dan", { balance: 0n });
  const erin = await m.user("erin", { balance: 0n });
  const erinSavings = await m.user("erin", { balance: 0n, handle: null });
  const directory = m.mesh.client(HandleService, { url: m.handlesUrl }, { subject: "transfers", role: "service" });
  // As an operator sees it: the payer's own view hides the payee's account when paid by handle.
  const payOnce = async (to: string) => {
    const paid = (await payers[0]!.pay(to, 1n)).transfer!;
    return (await m.operator.getTransfer({ id: paid.id })).transfer!;
  };

  // Before: @dan and @erin have been resolved (so cached), and lookups are served by the cache.
  expect((await payOnce("@dan")).status).toBe(TransferStatus.COMPLETED);
  expect((await payOnce("@erin")).toAccountId).toBe(erin.accountId);
  const paying = payContinuously(payers, "@carol");
  load = paying;
  const warm = await cacheLookups();
  await vi.waitFor(
    async () => {
      expect(paying.answered()).toBeGreaterThan(20);
      expect(delta(await cacheLookups(), warm, "lru:hit")).toBeGreaterThan(10);
    },
    { timeout: 60_000, interval: 50 },
  );

  // Redis dies mid-load.
  await redis.kill();
  await vi.waitFor(async () => expect(await handlesReadiness()).toEqual({ code: 200, status: "degraded", redis: "unreachable" }), {
    timeout: 5_000,
    interval: 50,
  });
  const outageStart = { answered: paying.answered(), lookups: await cacheLookups() };
  await vi.waitFor(() => expect(paying.answered() - outageStart.answered).toBeGreaterThan(60), { timeout: 60_000, interval: 50 });
  // Payments by handle went on, every lookup read Postgres: the LRU is not trusted while its
  // invalidations cannot arrive, and Redis is not there.
  paying.expectAllPaid();
  const outageLookups = await cacheLookups();
  // (Concurrent lookups of one handle share a read: fewer reads than payments.)
  expect(delta(outageLookups, outageStart.lookups, "postgres:hit")).toBeGreaterThan(30);
  expect(delta(outageLookups, outageStart.lookups, "lru:hit")).toBe(0);
  expect(delta(outageLookups, outageStart.lookups, "redis:hit")).toBe(0);

  // Changes made during the outage are committed and served at once, though Redis cannot carry
  // their invalidations.
  await m.handlesAs("dan").deactivateHandle({ handle: "@dan" });
  await m.handlesAs("erin").updateHandle({ handle: "@erin", accountId: erinSavings.accountId });
  expect((await connectErrorOf(directory.resolveHandle({ handle: "@dan" }))).code).toBe(Code.NotFound);
  expect(await payOnce("@dan")).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.PAYEE_UNAVAILABLE });
  expect(await payOnce("@erin")).toMatchObject({ status: TransferStatus.COMPLETED, toAccountId: erinSavings.accountId });

  // Without the idempotency fast path, the database alone keeps a key to one transfer.
  const duplicates = await Promise.all(Array.from({ length: 10 }, () => payers[1]!.pay("@erin", 1n, "once-during-the-outage")));
  expect(new Set(duplicates.map(({ transfer }) => transfer!.id)).size).toBe(1);
  expect(duplicates[0]!.transfer!.status).toBe(TransferStatus.COMPLETED);

  // People are still answered, and still metered, without Redis (see the handles README).
  const person = m.handlesAs("zoe");
  expect((await person.resolveHandle({ handle: "@carol" })).resolved?.maskedDisplayName).toBe("carol T.");
  const guesses: Code[] = [];
  for (let i = 0; i < 10 && !guesses.includes(Code.ResourceExhausted); i++) {
    guesses.push((await connectErrorOf(person.resolveHandle({ handle: `@nobody${i}` }))).code);
  }
  expect(guesses.at(-1)).toBe(Code.ResourceExhausted);
  expect(new Set(guesses.slice(0, -1))).toEqual(new Set([Code.NotFound]));

  // Redis comes back, empty, on the same port: the cache tiers are used again by themselves.
  // (@carol may be in the LRU again before Redis answers; handles nobody asked for since show
  // the Redis tier answering.)
  const beforeRestart = await cacheLookups();
  await redis.restart();
  await vi.waitFor(async () => expect(await handlesReadiness()).toEqual({ code: 200, status: "ready", redis: "ok" }), {
    timeout: 10_000,
    interval: 50,
  });
  let probe = 0;
  await vi.waitFor(
    async () => {
      expect((await connectErrorOf(directory.resolveHandle({ handle: `@probe${probe++}` }))).code).toBe(Code.NotFound);
      const now = await cacheLookups();
      expect(delta(now, beforeRestart, "lru:hit")).toBeGreaterThan(10);
      expect(delta(now, beforeRestart, "redis:miss")).toBeGreaterThan(0);
    },
    { timeout: 30_000, interval: 50 },
  );
  await paying.stop();

  // And the changes still stand with the cache back in use.
  for (let i = 0; i < 3; i++) {
    expect((await connectErrorOf(directory.resolveHandle({ handle: "@dan" }))).code).toBe(Code.NotFound);
    expect((await directory.resolveHandle({ handle: "@erin" })).resolved?.accountId).toBe(erinSavings.accountId);
  }
  expect(await payOnce("@dan")).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.PAYEE_UNAVAILABLE });
  expect(await payOnce("@erin")).toMatchObject({ status: TransferStatus.COMPLETED, toAccountId: erinSavings.accountId });

  // Every payment of the load was answered in time, and completed: the money all arrived.
  paying.expectAllPaid();
  expect(await m.balance(carol.accountId)).toBe(BigInt(paying.transfers.length));
  expect(await m.balance(dan.accountId)).toBe(1n);
  expect(await m.balance(erin.accountId)).toBe(1n);
  expect(await m.balance(erinSavings.accountId)).toBe(3n);
}, 240_000);
