import { Code } from "@connectrpc/connect";
import type { FailureReasonName } from "./schema.js";

/** What a failed PostEntry means for the transfer. */
export type LedgerOutcome =
  /** The ledger refused the entry: it does not exist and this content can never be applied under this id now. */
  | { kind: "refused"; reason: FailureReasonName; message: string }
  /** The entry may or may not exist (timeout, the ledger unreachable or failing): try again with the same id. */
  | { kind: "uncertain"; message: string }
  /** The entry id is taken by a different entry: a bug or tampering; never mark the transfer either way. */
  | { kind: "conflict"; message: string };

/**
 * Reads a PostEntry error (or a PostEntries per-entry error). Only answers that prove the entry was not applied count as a
 * refusal (FAILED_PRECONDITION, NOT_FOUND, INVALID_ARGUMENT: the ledger validated the entry and
 * turned it down); anything else (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, ...) leaves the
 * outcome open, to be settled by the next attempt with the same entry id.
 */
export function classifyLedgerError(code: Code, message: string, accounts: { from: string; to: string }): LedgerOutcome {
  switch (code) {
    case Code.FailedPrecondition:
      if (message.startsWith("insufficient funds")) {
        return { kind: "refused", reason: "insufficient_funds", message: "insufficient funds in the paying account" };
      }
      if (message.includes("is closed")) {
        return message.includes(accounts.to)
          ? { kind: "refused", reason: "payee_unavailable", message: "the payee's account is closed" }
          : { kind: "refused", reason: "account_unavailable", message: "the paying account is closed" };
      }
      return { kind: "refused", reason: "account_unavailable", message: "the payee's account cannot receive this transfer" };
    case Code.NotFound:
      return message.includes(accounts.to)
        ? { kind: "refused", reason: "payee_unavailable", message: "the payee's account does not exist" }
        : { kind: "refused", reason: "account_unavailable", message: "the paying account does not exist" };
    case Code.InvalidArgument:
      // The ledger validated the entry and turned it down; "does not balance" means the two
      // accounts hold different currencies.
      return {
        kind: "refused",
        reason: "account_unavailable",
        message: message.includes("does not balance")
          ? "the payee's account does not hold the transfer's currency"
          : "the ledger refused the entry",
      };
    case Code.AlreadyExists:
      return { kind: "conflict", message };
    default:
      return { kind: "uncertain", message: `${Code[code]}: ${message}` };
  }
}
