import type { TransferRequest } from "./transfer-request.js";

/**
 * The first field, named as in the API, where a request differs from the one an idempotency
 * key was first used with; undefined when they are the same request.
 */
export function requestDifference(stored: TransferRequest, request: TransferRequest): string | undefined {
  if (stored.fromAccountId !== request.fromAccountId) return "from_account_id";
  if (stored.to.kind !== request.to.kind) {
    return `payee (had to_${stored.to.kind === "handle" ? "handle" : "account_id"}, now to_${request.to.kind === "handle" ? "handle" : "account_id"})`;
  }
  if (stored.to.kind === "handle" && request.to.kind === "handle" && stored.to.handle !== request.to.handle) {
    return `to_handle (had ${stored.to.handle}, now ${request.to.handle})`;
  }
  if (stored.to.kind === "account" && request.to.kind === "account" && stored.to.accountId !== request.to.accountId) {
    return "to_account_id";
  }
  if (stored.amount !== request.amount) return `amount (had ${stored.amount}, now ${request.amount})`;
  if (stored.currency !== request.currency) return `currency (had ${stored.currency}, now ${request.currency})`;
  if (stored.memo !== request.memo) return "memo";
  return undefined;
}
