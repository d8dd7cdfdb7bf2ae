import { Code } from "@connectrpc/connect";
import { TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { connectErrorOf, TEST_AUTH } from "@paymesh/testkit";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTransfersMesh, type TransfersMesh } from "../services/transfers/test/start-transfers-mesh.js";
import { DEMO, demoCommands, runDemoSeed } from "./seed-demo.js";

let m: TransfersMesh;
let env: Record<string, string>;

beforeAll(async () => {
  m = await startTransfersMesh();
  env = {
    LEDGER_URL: m.ledgerUrl,
    HANDLES_URL: m.handlesUrl,
    AUTH_JWT_SECRET: TEST_AUTH.secret,
    AUTH_ISSUER: TEST_AUTH.issuer,
    AUTH_AUDIENCE: TEST_AUTH.audience,
  };
});

afterAll(async () => {
  await m?.stop();
});

it("seeds alice, bob and carol, funded and with handles, and changes nothing when run again", async () => {
  const [alice, bob, carol] = DEMO.people;
  const first = await runDemoSeed(env);
  expect(first.steps.join("\n")).toMatch(/@alice registered/);
  expect(first.steps.join("\n")).toMatch(/@carol registered/);
  expect(await m.balance(alice.accountId)).toBe(DEMO.openingBalance);
  expect(await m.balance(bob.accountId)).toBe(DEMO.openingBalance);
  expect(await m.balance(carol.accountId)).toBe(DEMO.openingBalance);

  // The demo works: alice pays @bob.
  const { transfer } = await m.transfersAs("alice").createTransfer({
    idempotencyKey: "demo-1",
    fromAccountId: alice.accountId,
    to: { case: "toHandle", value: "@bob" },
    amount: 1_234n,
    currency: "USD",
  });
  expect(transfer!.status).toBe(TransferStatus.COMPLETED);

  const again = await runDemoSeed(env);
  expect(again.steps.join("\n")).toMatch(/@alice \(already there\)/);
  expect(await m.balance(alice.accountId)).toBe(DEMO.openingBalance - 1_234n);
  expect(await m.balance(bob.accountId)).toBe(DEMO.openingBalance + 1_234n);
  // bob cannot spend from alice's demo wallet.
  const denied = await connectErrorOf(
    m.transfersAs("bob").createTransfer({
      idempotencyKey: "x",
      fromAccountId: alice.accountId,
      to: { case: "toHandle", value: "@bob" },
      amount: 1n,
      currency: "USD",
    }),
  );
  expect(denied.code).toBe(Code.PermissionDenied);
});

it("prints commands that name the seeded wallets and the services' ports", () => {
  const commands = demoCommands();
  expect(commands).toContain("TOKEN=$(npm run --silent token -- alice)");
  expect(commands).toContain(`"from_account_id":"${DEMO.people[0].accountId}","to_handle":"@bob"`);
  expect(commands).toContain("127.0.0.1:7103 paymesh.transfers.v1.TransferService/CreateTransfer");
  expect(commands).toContain("127.0.0.1:7102 paymesh.ledger.v1.LedgerService/GetBalance");
});
