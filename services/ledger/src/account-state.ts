import { PostingErrorReason } from "@paymesh/gen/paymesh/ledger/v1/errors_pb";

/** The part of an account the posting engine reasons about, with exact bigint totals. */
export interface AccountState {
  id: string;
  currency: string;
  status: "active" | "closed";
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
  sequence: bigint;
}

export const INT64_MAX = 2n ** 63n - 1n;

/** Why an account's totals are not acceptable (for code, and for people), or undefined when they are. */
export function violation(account: AccountState): { reason: PostingErrorReason; message: string } | undefined {
  const { debitsPosted, creditsPosted, debitsPending, creditsPending } = account;
  if ([debitsPosted, creditsPosted, debitsPending, creditsPending].some((total) => total > INT64_MAX)) {
    return { reason: PostingErrorReason.AMOUNT_OVERFLOW, message: `account ${account.id} totals would overflow int64` };
  }
  if (account.debitsMustNotExceedCredits && debitsPosted + debitsPending > creditsPosted) {
    return {
      reason: PostingErrorReason.INSUFFICIENT_FUNDS,
      message: `insufficient funds in account ${account.id}: available ${available(account)}`,
    };
  }
  if (account.creditsMustNotExceedDebits && creditsPosted + creditsPending > debitsPosted) {
    return {
      reason: PostingErrorReason.CREDITS_EXCEED_DEBITS,
      message: `account ${account.id} may not be credited beyond its debits: available ${available(account)}`,
    };
  }
  return undefined;
}

/** Debit-normal accounts are the ones whose credits may not exceed their debits. */
function isDebitNormal(account: Pick<AccountState, "creditsMustNotExceedDebits">): boolean {
  return account.creditsMustNotExceedDebits;
}

/** Posted balance on the account's normal side. */
export function balance(account: Pick<AccountState, "creditsMustNotExceedDebits" | "debitsPosted" | "creditsPosted">): bigint {
  return isDebitNormal(account) ? account.debitsPosted - account.creditsPosted : account.creditsPosted - account.debitsPosted;
}

/** The balance less what pending entries reserve against it. */
export function available(account: AccountState): bigint {
  return balance(account) - (isDebitNormal(account) ? account.creditsPending : account.debitsPending);
}
