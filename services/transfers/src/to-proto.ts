import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { FailureReason, type Transfer, TransferSchema, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import type { FailureReasonName, TransferStatusName } from "./schema.js";
import type { HistoryRow, TransferRow } from "./transfers-database.js";

const STATUS: Record<TransferStatusName, TransferStatus> = {
  initiated: TransferStatus.INITIATED,
  completed: TransferStatus.COMPLETED,
  failed: TransferStatus.FAILED,
};

const REASON: Record<FailureReasonName, FailureReason> = {
  insufficient_funds: FailureReason.INSUFFICIENT_FUNDS,
  payee_unavailable: FailureReason.PAYEE_UNAVAILABLE,
  limit_exceeded: FailureReason.LIMIT_EXCEEDED,
  account_unavailable: FailureReason.ACCOUNT_UNAVAILABLE,
};

/** The fields a transfer and its history rows share. */
export type TransferFields = Pick<
  TransferRow,
  | "fromAccountId"
  | "toAccountId"
  | "toHandle"
  | "amount"
  | "currency"
  | "memo"
  | "status"
  | "failureReason"
  | "failureMessage"
  | "entryId"
  | "payer"
  | "payee"
  | "payeeMaskedDisplayName"
  | "createdAt"
  | "updatedAt"
>;

/** A transfer (or a history row of one) as the API shows it. */
export function toTransfer(id: string, row: TransferFields): Transfer {
  return create(TransferSchema, {
    id,
    fromAccountId: row.fromAccountId,
    toAccountId: row.toAccountId ?? "",
    toHandle: row.toHandle,
    amount: row.amount,
    currency: row.currency,
    memo: row.memo,
    status: STATUS[row.status],
    failureReason: row.failureReason === null ? FailureReason.UNSPECIFIED : REASON[row.failureReason],
    failureMessage: row.failureMessage,
    entryId: row.entryId,
    payer: row.payer,
    payee: row.payee,
    payeeMaskedDisplayName: row.payeeMaskedDisplayName,
    createTime: timestampFromDate(row.createdAt),
    updateTime: timestampFromDate(row.updatedAt),
  });
}

export const transferOf = (row: TransferRow): Transfer => toTransfer(row.id, row);

/** The history row fields carried by a Transfer in an event (the trace is the event's, not the transfer's). */
export function fromTransfer(transfer: Transfer): Omit<HistoryRow, "participant" | "traceId"> {
  const status = (Object.keys(STATUS) as TransferStatusName[]).find((name) => STATUS[name] === transfer.status);
  if (status === undefined) throw new Error(`transfer ${transfer.id} has no valid status`);
  const reason = (Object.keys(REASON) as FailureReasonName[]).find((name) => REASON[name] === transfer.failureReason) ?? null;
  return {
    transferId: transfer.id,
    fromAccountId: transfer.fromAccountId,
    toAccountId: transfer.toAccountId === "" ? null : transfer.toAccountId,
    toHandle: transfer.toHandle,
    amount: transfer.amount,
    currency: transfer.currency,
    memo: transfer.memo,
    status,
    failureReason: reason,
    failureMessage: transfer.failureMessage,
    entryId: transfer.entryId,
    payer: transfer.payer,
    payee: transfer.payee,
    payeeMaskedDisplayName: transfer.payeeMaskedDisplayName,
    createdAt: timestampDate(transfer.createTime!),
    updatedAt: timestampDate(transfer.updateTime!),
  };
}
