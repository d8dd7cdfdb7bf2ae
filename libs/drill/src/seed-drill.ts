import { randomUUID } from "node:crypto";
import { createBenchClient } from "@paymesh/bench";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import type { DrillMesh } from "./start-drill-mesh.js";

/** A person of the drill: a USD wallet with a handle, and what it held before any payment. */
interface DrillUser {
  subject: string;
  accountId: string;
  handle: string;
  token: string;
  opening: string;
}

/** What the drill seeded: the money invariants are checked against it. */
export interface DrillSeed {
  payers: DrillUser[];
  payees: DrillUser[];
  /** The debit-normal account every opening balance came from. */
  fundingAccountId: string;
  /** The ledger entries of the seeding itself: every other entry must be a completed transfer's. */
  fundingEntryIds: string[];
}

export interface SeedDrillOptions {
  /** Default 32. */
  payers?: number;
  /**
   * Payers funded with only `poorOpening`, who run dry within seconds under load, so FAILED
   * transfers (insufficient funds) happen beside COMPLETED ones. Default 4.
   */
  poorPayers?: number;
  /** Default 8. */
  payees?: number;
  /** Default 1 000 000 000 minor units (10 million USD): never runs dry in a drill. */
  richOpening?: bigint;
  /** Default 20 000 (200 USD): a handful of the load's payments (up to 50 USD each). */
  poorOpening?: bigint;
}

/**
 * Opens funded USD wallets with handles through the services' own RPCs (as an operator, and each
 * person registering their own handle), and limits no drill reaches, on the first process of
 * each service.
 */
export async function seedDrill(mesh: DrillMesh, options: SeedDrillOptions = {}): Promise<DrillSeed> {
  const operator = await mesh.token("drill", "operator");
  const url = (service: string) => mesh.processes.find((p) => p.service === service)!.url;
  const ledger = createBenchClient(LedgerService, { baseUrl: url("ledger"), token: operator });
  await createBenchClient(TransferService, { baseUrl: url("transfers"), token: operator }).setLimitPolicy({
    policy: { currency: "USD", perTransactionMax: 10n ** 12n, dailyMax: 10n ** 13n, monthlyMax: 10n ** 14n },
  });
  const fundingAccountId = randomUUID();
  await ledger.createAccount({
    id: fundingAccountId,
    currency: "USD",
    owner: "bank",
    code: "funding",
    flags: { creditsMustNotExceedDebits: true },
  });
  const fundingEntryIds: string[] = [];
  const open = async (subject: string, opening: bigint): Promise<DrillUser> => {
    const accountId = randomUUID();
    await ledger.createAccount({
      id: accountId,
      currency: "USD",
      owner: subject,
      code: "wallet",
      flags: { debitsMustNotExceedCredits: true },
    });
    if (opening > 0n) {
      const entryId = randomUUID();
      fundingEntryIds.push(entryId);
      await ledger.postEntry({
        entryId,
        lines: [
          { accountId: fundingAccountId, amount: opening, side: Side.DEBIT },
          { accountId, amount: opening, side: Side.CREDIT },
        ],
        memo: "drill opening balance",
      });
    }
    const token = await mesh.token(subject);
    const handle = `@${subject}`;
    await createBenchClient(HandleService, { baseUrl: url("handles"), token }).registerHandle({
      handle,
      accountId,
      displayName: `Drill ${subject}`,
    });
    return { subject, accountId, handle, token, opening: String(opening) };
  };
  const payerCount = options.payers ?? 32;
  const poor = options.poorPayers ?? 4;
  const payers = await Promise.all(
    Array.from({ length: payerCount }, (_, i) =>
      open(`payer-${i}`, i < poor ? (options.poorOpening ?? 20_000n) : (options.richOpening ?? 10n ** 9n)),
    ),
  );
  const payees = await Promise.all(Array.from({ length: options.payees ?? 8 }, (_, i) => open(`payee-${i}`, 0n)));
  return { payers, payees, fundingAccountId, fundingEntryIds };
}
