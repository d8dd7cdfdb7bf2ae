import { Code } from "@connectrpc/connect";
import { TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { connectErrorOf, createUnreachableRedis } from "@paymesh/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTransfersMesh, type TransfersMesh } from "../test/start-transfers-mesh.js";

// The idempotency fast path pointed at a Redis that is not there (nothing listens on port 1):
// every call to it fails at once, so the service runs on its database alone.
const deadRedis = createUnreachableRedis();
let m: TransfersMesh;

beforeAll(async () => {
  m = await startTransfersMesh({ transfers: { idempotencyRedis: deadRedis } });
});

afterAll(async () => {
  await m?.stop();
  deadRedis.disconnect();
});

it("keeps the idempotency contract with Redis down: 20 concurrent requests, one transfer, one entry", async () => {
  expect(
    await deadRedis.ping().then(
      () => "up",
      () => "down",
    ),
  ).toBe("down");
  const payer = await m.user("wendy", { balance: 5_000n });
  const payee = await m.user("xavier", { balance: 0n });
  const request = {
    idempotencyKey: "no-redis",
    fromAccountId: payer.accountId,
    to: { case: "toHandle" as const, value: payee.handle },
    amount: 250n,
    currency: "USD",
  };
  const results = await Promise.all(Array.from({ length: 20 }, () => payer.transfers.createTransfer(request)));
  const ids = new Set(results.map((r) => r.transfer!.id));
  expect(ids.size).toBe(1);
  // Duplicates that caught the first request in flight waited for its outcome.
  expect(results.every((r) => r.transfer!.status === TransferStatus.COMPLETED)).toBe(true);
  expect((await payer.transfers.createTransfer(request)).transfer!.status).toBe(TransferStatus.COMPLETED);
  expect(await m.balance(payer.accountId)).toBe(4_750n);
  expect(await m.balance(payee.accountId)).toBe(250n);

  const changed = await connectErrorOf(payer.transfers.createTransfer({ ...request, to: { case: "toAccountId", value: payee.accountId } }));
  expect(changed.code).toBe(Code.AlreadyExists);
  expect(changed.rawMessage).toMatch(/payee/);
  expect(await m.balance(payer.accountId)).toBe(4_750n);
});
