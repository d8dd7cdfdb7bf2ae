import { Code, ConnectError } from "@connectrpc/connect";
import { type PostingError, PostingErrorReason, PostingErrorSchema } from "@paymesh/gen/paymesh/ledger/v1/errors_pb";
import type { EntryError } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import type { FailureReasonName } from "./schema.js";

/** What a failed PostEntry means for the transfer. */
export type LedgerOutcome =
  /** The ledger refused the entry: it does not exist and this content can never be applied under this id now. */
  | { kind: "refused"; reason: FailureReasonName; message: string }
  /** The entry may or may not exist (timeout, the ledger unreachable or failing): try again with the same id. */
  | { kind: "uncertain"; message: string }
  /** The entry id is taken by a different entry: a bug or tampering; never mark the transfer either way. */
  | { kind: "conflict"; message: string };

/** The codes of the ledger's refusals: it validated the entry and turned it down, so it was not applied. */
const REFUSALS: ReadonlySet<Code> = new Set([Code.FailedPrecondition, Code.NotFound, Code.InvalidArgument]);

/**
 * Reads why the ledger did not apply a transfer's entry, from a failed PostEntry (its
 * ConnectError) or a refused entry of PostEntries (its EntryError). Only answers that prove
 * the entry was not applied count as a refusal: a refusal code, unless the ledger's detail says
 * the refusal was not about this entry (a linked partner failed). The failure reason comes from
 * the ledger's PostingError detail, and whose account it was from the accounts the detail names,
 * never from the ledger's message: that is for people and may be reworded, so it is only passed
 * on for logs. Anything else (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, ...) leaves the outcome
 * open, to be settled by the next attempt with the same entry id.
 */
export function classifyLedgerError(error: ConnectError | EntryError, accounts: { from: string; to: string }): LedgerOutcome {
  const { code, message, detail } =
    error instanceof ConnectError
      ? { code: error.code, message: error.rawMessage, detail: error.findDetails(PostingErrorSchema)[0] }
      : { code: error.code as Code, message: error.message, detail: error.detail };
  if (code === Code.AlreadyExists) return { kind: "conflict", message };
  if (!REFUSALS.has(code) || detail?.reason === PostingErrorReason.LINKED_ENTRY_FAILED) {
    return { kind: "uncertain", message: `${Code[code]}: ${message}` };
  }
  return { kind: "refused", ...failureOf(detail, accounts) };
}

function failureOf(
  detail: PostingError | undefined,
  accounts: { from: string; to: string },
): { reason: FailureReasonName; message: string } {
  const named = (id: string) => detail?.accountIds.includes(id) ?? false;
  const whose = named(accounts.to) ? "payee" : named(accounts.from) ? "payer" : undefined;
  switch (detail?.reason) {
    case PostingErrorReason.INSUFFICIENT_FUNDS:
      if (whose === "payer") return { reason: "insufficient_funds", message: "insufficient funds in the paying account" };
      break;
    case PostingErrorReason.ACCOUNT_CLOSED:
      if (whose === "payee") return { reason: "payee_unavailable", message: "the payee's account is closed" };
      if (whose === "payer") return { reason: "account_unavailable", message: "the paying account is closed" };
      break;
    case PostingErrorReason.ACCOUNT_NOT_FOUND:
      if (whose === "payee") return { reason: "payee_unavailable", message: "the payee's account does not exist" };
      if (whose === "payer") return { reason: "account_unavailable", message: "the paying account does not exist" };
      break;
    case PostingErrorReason.ENTRY_UNBALANCED:
      // The entry's two lines carry the same amount, so it only fails to balance when the two
      // accounts hold different currencies.
      return { reason: "account_unavailable", message: "the payee's account does not hold the transfer's currency" };
  }
  if (whose === "payee") return { reason: "account_unavailable", message: "the payee's account cannot receive this transfer" };
  if (whose === "payer") return { reason: "account_unavailable", message: "the paying account cannot make this transfer" };
  return { reason: "account_unavailable", message: "the ledger refused the entry" };
}
