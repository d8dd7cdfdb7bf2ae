import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { AccountStatus, type LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { transientError } from "@paymesh/runtime";
import { LRUCache } from "lru-cache";

/** What transfers needs to know about a ledger account. */
interface AccountFacts {
  owner: string;
  currency: string;
  /** As last seen: an account closes but never reopens, so `true` is final and `false` may be stale. */
  closed: boolean;
}

export interface AccountDirectory {
  /** The account's facts, or undefined when the ledger has no such account. */
  lookup(accountId: string): Promise<AccountFacts | undefined>;
}

/**
 * Ledger GetAccount behind an in-process cache. An account's owner and currency never change,
 * so they are cached for long; whether it is still open is checked again by the ledger when the
 * entry is posted (a closed account refuses it), so a stale "open" costs nothing but a FAILED
 * transfer decided one step later. Unknown accounts are not cached: they may be opened soon.
 */
export function createAccountDirectory(
  ledger: Client<typeof LedgerService>,
  options: { max?: number; ttlMs?: number } = {},
): AccountDirectory {
  const cache = new LRUCache<string, AccountFacts>({ max: options.max ?? 100_000, ttl: options.ttlMs ?? 10 * 60_000 });
  const inFlight = new Map<string, Promise<AccountFacts | undefined>>();

  const fetch = async (accountId: string): Promise<AccountFacts | undefined> => {
    try {
      const { account } = await ledger.getAccount({ id: accountId });
      const facts = { owner: account!.owner, currency: account!.currency, closed: account!.status === AccountStatus.CLOSED };
      cache.set(accountId, facts);
      return facts;
    } catch (error) {
      if (ConnectError.from(error).code === Code.NotFound) return undefined;
      throw transientError(error, "the ledger");
    }
  };

  return {
    lookup(accountId) {
      const cached = cache.get(accountId);
      if (cached !== undefined) return Promise.resolve(cached);
      // Concurrent first lookups of one account share a single call.
      let pending = inFlight.get(accountId);
      if (pending === undefined) {
        pending = fetch(accountId).finally(() => inFlight.delete(accountId));
        inFlight.set(accountId, pending);
      }
      return pending;
    },
  };
}
