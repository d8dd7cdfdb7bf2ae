import { type Account, AccountStatus } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { Empty, ErrorNote, Loading, Money } from "../ui.js";
import { usePages } from "../use-pages.js";

const STATUS: Record<AccountStatus, string> = {
  [AccountStatus.UNSPECIFIED]: "unknown",
  [AccountStatus.ACTIVE]: "active",
  [AccountStatus.CLOSED]: "closed",
};

/** Every owner's accounts with their balances, oldest first as the ledger lists them. */
export function AccountsPanel() {
  const { clients } = useConsole();
  const [generation, setGeneration] = useState(0);
  const accounts = usePages<Account>(
    async (pageToken, signal) => {
      const page = await clients.ledger.listAccounts({ allOwners: true, pageSize: 50, pageToken }, { signal });
      return { items: page.accounts, nextPageToken: page.nextPageToken };
    },
    [clients, generation],
  );
  return (
    <section aria-labelledby="operator-accounts-title">
      <header class="op-section-header">
        <h2 id="operator-accounts-title">Accounts</h2>
        <button type="button" class="secondary" onClick={() => setGeneration((n) => n + 1)} disabled={accounts.loading}>
          Refresh
        </button>
      </header>
      <p class="hint">
        Every account in the ledger, whoever owns it. Balances are on the account's normal side; pending is what entries not yet posted
        would add (+) or take (−).
      </p>
      <ErrorNote error={accounts.error} onRetry={accounts.loadMore} />
      {accounts.items.length === 0 ? (
        accounts.loading ? (
          <Loading what="the accounts" />
        ) : (
          accounts.error === undefined && <Empty>The ledger has no accounts yet.</Empty>
        )
      ) : (
        <table class="table compact" data-testid="operator-accounts">
          <caption class="visually-hidden">Every account, with its posted, pending and available balance</caption>
          <thead>
            <tr>
              <th scope="col">Owner and account</th>
              <th scope="col">Code</th>
              <th scope="col">Currency</th>
              <th scope="col">Status</th>
              <th scope="col">Flags</th>
              <th scope="col" class="num">
                Posted
              </th>
              <th scope="col" class="num">
                Pending
              </th>
              <th scope="col" class="num">
                Available
              </th>
            </tr>
          </thead>
          <tbody>
            {accounts.items.map((account) => (
              <tr key={account.id} data-testid={`account-${account.id}`}>
                <td>
                  {account.owner}
                  <span class="op-subline mono">{account.id}</span>
                </td>
                <td>{account.code}</td>
                <td>{account.currency}</td>
                <td>
                  <span class={`status ${STATUS[account.status]}`}>{STATUS[account.status]}</span>
                </td>
                <td>{flagsOf(account).join(", ") || "none"}</td>
                <td class="num">
                  <Money amount={account.balances?.balance ?? 0n} currency={account.currency} />
                </td>
                <td class="num">
                  <Money amount={pendingOf(account)} currency={account.currency} signed />
                </td>
                <td class="num">
                  <Money amount={account.balances?.available ?? 0n} currency={account.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {accounts.more && (
        <button type="button" class="secondary" onClick={accounts.loadMore} disabled={accounts.loading}>
          {accounts.loading ? "Loading…" : "Show more"}
        </button>
      )}
    </section>
  );
}

function flagsOf(account: Account): string[] {
  const flags: string[] = [];
  if (account.flags?.debitsMustNotExceedCredits) flags.push("no overdraft");
  if (account.flags?.creditsMustNotExceedDebits) flags.push("credits ≤ debits");
  return flags;
}

/**
 * Pending reservations netted on the account's normal side, as its balance is: a debit-normal
 * account (a funding account) reads the same way round as a wallet.
 */
function pendingOf(account: Account): bigint {
  const debits = account.balances?.debitsPending ?? 0n;
  const credits = account.balances?.creditsPending ?? 0n;
  return account.flags?.creditsMustNotExceedDebits ? debits - credits : credits - debits;
}
