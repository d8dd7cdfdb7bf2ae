import { normalizeHandle } from "@paymesh/domain";
import type { CreateTransferRequest } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { DomainError } from "@paymesh/runtime";
import type { TransferRow } from "./transfers-database.js";

/** Who gets paid, as the caller named them. */
type Payee = { kind: "handle"; handle: string } | { kind: "account"; accountId: string };

/**
 * A CreateTransfer request in canonical form (ids lower case, handle normalised), without
 * its idempotency key: two requests that mean the same transfer are equal here.
 */
export interface TransferRequest {
  fromAccountId: string;
  to: Payee;
  amount: bigint;
  currency: string;
  memo: string;
}

/** Canonicalises a request that passed protovalidate. */
export function transferRequestOf(req: CreateTransferRequest): TransferRequest {
  let to: Payee;
  if (req.to.case === "toHandle") to = { kind: "handle", handle: normalizeHandle(req.to.value) };
  else if (req.to.case === "toAccountId") to = { kind: "account", accountId: req.to.value.toLowerCase() };
  else throw new DomainError("invalid_argument", "to_handle or to_account_id is required");
  return { fromAccountId: req.fromAccountId.toLowerCase(), to, amount: req.amount, currency: req.currency, memo: req.memo };
}

/** The request a stored transfer was created from. */
export function storedRequestOf(row: TransferRow): TransferRequest {
  return {
    fromAccountId: row.fromAccountId,
    to: row.toHandle !== "" ? { kind: "handle", handle: row.toHandle } : { kind: "account", accountId: row.toAccountId! },
    amount: row.amount,
    currency: row.currency,
    memo: row.memo,
  };
}
