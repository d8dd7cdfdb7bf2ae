import { useConsole } from "../console-context.js";
import { Empty, ErrorNote, Loading, Money, Page } from "../ui.js";
import { useMyAccounts } from "../use-my-accounts.js";
import { useRpc } from "../use-rpc.js";

/** Each wallet's posted, pending and available balance, and the handles people pay it by. */
export function WalletsPage() {
  const { clients } = useConsole();
  const accounts = useMyAccounts();
  const handles = useRpc((signal) => clients.handles.listMyHandles({ pageSize: 100 }, { signal }), [clients]);
  return (
    <Page
      title="Wallets"
      actions={
        <a href="#/send" class="button">
          Send money
        </a>
      }
    >
      <ErrorNote error={accounts.error} onRetry={accounts.reload} />
      {accounts.data === undefined ? (
        accounts.loading && <Loading what="your wallets" />
      ) : accounts.data.length === 0 ? (
        <Empty>You have no wallets yet.</Empty>
      ) : (
        <ul class="cards">
          {accounts.data.map((account) => {
            const balances = account.balances;
            const pending = (balances?.creditsPending ?? 0n) - (balances?.debitsPending ?? 0n);
            const names = handles.data?.handles.filter((handle) => handle.accountId === account.id).map((handle) => handle.handle);
            return (
              <li key={account.id} class="card" data-testid={`wallet-${account.currency}`}>
                <h2>
                  {account.currency} {account.code}
                </h2>
                {names && names.length > 0 && <p class="hint">Paid as {names.join(", ")}</p>}
                <dl class="balances">
                  <dt>Available</dt>
                  <dd data-testid="available">
                    <Money amount={balances?.available ?? 0n} currency={account.currency} />
                  </dd>
                  <dt>Posted</dt>
                  <dd data-testid="posted">
                    <Money amount={balances?.balance ?? 0n} currency={account.currency} />
                  </dd>
                  <dt>Pending</dt>
                  <dd data-testid="pending">
                    <Money amount={pending} currency={account.currency} signed />
                  </dd>
                </dl>
                <p class="hint mono">{account.id}</p>
              </li>
            );
          })}
        </ul>
      )}
    </Page>
  );
}
