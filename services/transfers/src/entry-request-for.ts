import { create } from "@bufbuild/protobuf";
import { type PostEntryRequest, PostEntryRequestSchema, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import type { TransferRow } from "./transfers-database.js";

/**
 * The ledger entry of a transfer: debit the payer's (credit-normal) wallet, credit the payee's.
 * Built only from the stored row, so every attempt (request, retry, recovery) sends exactly the
 * same content under the same entry id, which the ledger applies once.
 */
export function entryRequestFor(row: TransferRow): PostEntryRequest {
  if (row.toAccountId === null) throw new Error(`transfer ${row.id} has no payee account to post to`);
  return create(PostEntryRequestSchema, {
    entryId: row.entryId,
    lines: [
      { accountId: row.fromAccountId, amount: row.amount, side: Side.DEBIT },
      { accountId: row.toAccountId, amount: row.amount, side: Side.CREDIT },
    ],
    memo: row.memo,
    metadata: { transfer_id: row.id },
  });
}
