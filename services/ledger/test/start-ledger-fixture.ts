import { randomUUID } from "node:crypto";
import type { Client } from "@connectrpc/connect";
import { type Account, LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import type { RunningService } from "@paymesh/runtime";
import { createTestMesh, type TestDatabase, type TestMesh } from "@paymesh/testkit";
import { ledgerService } from "../src/main.js";
import type * as schema from "../src/schema.js";

/** A ledger in a test mesh, an operator client, and shorthands for accounts and entries. */
export interface LedgerFixture {
  mesh: TestMesh;
  ledger: RunningService<typeof schema> & { database: TestDatabase };
  ops: Client<typeof LedgerService>;
  as(subject: string): Client<typeof LedgerService>;
  /** A debit-normal funding account the tests draw money from. */
  fundingAccount(currency?: string): Promise<Account>;
  /** A user wallet (no overdraft), optionally funded from a new funding account. */
  wallet(owner: string, funds?: bigint, currency?: string): Promise<Account>;
  transfer(
    from: string,
    to: string,
    amount: bigint,
    /** `entryId` (default a fresh one) to post a replay. */
    extra?: { pending?: boolean; pendingTimeoutSeconds?: number; entryId?: string },
  ): ReturnType<Client<typeof LedgerService>["postEntry"]>;
  stop(): Promise<void>;
}

export async function startLedgerFixture(env: Record<string, string> = {}): Promise<LedgerFixture> {
  const mesh = await createTestMesh();
  const ledger = await mesh.start(ledgerService, env).catch(async (error: unknown) => {
    await mesh.stop();
    throw error;
  });
  const ops = mesh.client(LedgerService, ledger, { subject: "ops", role: "operator" });
  const fixture: LedgerFixture = {
    mesh,
    ledger,
    ops,
    as: (subject) => mesh.client(LedgerService, ledger, { subject }),
    async fundingAccount(currency = "USD") {
      return (await ops.createAccount({ currency, owner: "bank", code: "funding", flags: { creditsMustNotExceedDebits: false } })).account!;
    },
    async wallet(owner, funds = 0n, currency = "USD") {
      const account = (await ops.createAccount({ currency, owner, code: "wallet", flags: { debitsMustNotExceedCredits: true } })).account!;
      if (funds > 0n) await fixture.transfer((await fixture.fundingAccount(currency)).id, account.id, funds);
      return account;
    },
    transfer(from, to, amount, extra = {}) {
      return ops.postEntry({
        entryId: randomUUID(),
        lines: [
          { accountId: from, amount, side: Side.DEBIT },
          { accountId: to, amount, side: Side.CREDIT },
        ],
        ...extra,
      });
    },
    stop: () => mesh.stop(),
  };
  return fixture;
}
