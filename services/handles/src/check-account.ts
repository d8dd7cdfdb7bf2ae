import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { type Account, AccountStatus, type LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { DomainError, transientError } from "@paymesh/runtime";

/**
 * Asks the ledger (with this service's credentials, so it sees any account) whether `accountId`
 * belongs to `owner` and takes entries. A missing account and someone else's give the same
 * PERMISSION_DENIED, so nobody learns which accounts exist; a closed one of the owner's is
 * FAILED_PRECONDITION; a ledger that cannot answer just now is UNAVAILABLE (see transientError).
 */
export async function checkAccount(ledger: Client<typeof LedgerService>, accountId: string, owner: string, whose = "yours"): Promise<void> {
  let account: Account | undefined;
  try {
    ({ account } = await ledger.getAccount({ id: accountId }));
  } catch (error) {
    if (ConnectError.from(error).code !== Code.NotFound) throw transientError(error, "the ledger");
    account = undefined;
  }
  if (account === undefined || account.owner !== owner) {
    throw new DomainError("permission_denied", `account ${accountId} is not one of ${whose}`);
  }
  if (account.status !== AccountStatus.ACTIVE) {
    throw new DomainError("failed_precondition", `account ${accountId} is closed; use one of ${whose} active accounts`);
  }
}
