import { type Transfer, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { useConsole } from "../console-context.js";
import { useLiveNotifications } from "../live-notifications.js";
import { Empty, ErrorNote, Loading, Money, Page, When } from "../ui.js";
import { usePages } from "../use-pages.js";

const STATUS: Record<TransferStatus, string> = {
  [TransferStatus.UNSPECIFIED]: "unknown",
  [TransferStatus.INITIATED]: "processing",
  [TransferStatus.COMPLETED]: "completed",
  [TransferStatus.FAILED]: "failed",
};

/** Every transfer the person sent or received, newest first, following new ones live. */
export function HistoryPage() {
  const { clients, session } = useConsole();
  const { version } = useLiveNotifications();
  const transfers = usePages<Transfer>(
    async (pageToken, signal) => {
      const page = await clients.transfers.listTransfers({ pageSize: 25, pageToken }, { signal });
      return { items: page.transfers, nextPageToken: page.nextPageToken };
    },
    [clients, version],
  );
  return (
    <Page title="History">
      <ErrorNote error={transfers.error} onRetry={transfers.loadMore} />
      {transfers.items.length === 0 ? (
        transfers.loading ? (
          <Loading what="your transfers" />
        ) : (
          <Empty>No transfers yet. Money you send or receive shows here.</Empty>
        )
      ) : (
        <table class="table" data-testid="history">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Note</th>
              <th scope="col">Status</th>
              <th scope="col" class="num">
                Amount
              </th>
            </tr>
          </thead>
          <tbody>
            {transfers.items.map((transfer) => {
              const sent = transfer.payer === session.subject;
              return (
                <tr key={transfer.id}>
                  <td>
                    <When time={transfer.createTime} />
                  </td>
                  <td>{sent ? `To ${transfer.toHandle || "an account"}` : `From ${transfer.payer}`}</td>
                  <td>{transfer.memo}</td>
                  <td>
                    <span class={`status ${STATUS[transfer.status]}`}>{STATUS[transfer.status]}</span>
                    {transfer.status === TransferStatus.FAILED && <span class="hint"> {transfer.failureMessage}</span>}
                  </td>
                  <td class="num">
                    <Money amount={sent ? -transfer.amount : transfer.amount} currency={transfer.currency} signed />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {transfers.more && (
        <button type="button" class="secondary" onClick={transfers.loadMore} disabled={transfers.loading}>
          {transfers.loading ? "Loading…" : "Show older"}
        </button>
      )}
    </Page>
  );
}
