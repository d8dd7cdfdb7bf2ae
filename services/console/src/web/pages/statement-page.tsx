import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Side, type StatementLine } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { Empty, ErrorNote, Loading, Money, Page, When } from "../ui.js";
import { useMyAccounts } from "../use-my-accounts.js";
import { usePages } from "../use-pages.js";
import { useRpc } from "../use-rpc.js";

/** Midnight at the start of a `yyyy-mm-dd` day, in the person's time zone. */
function startOfDay(day: string): Date {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  return new Date(year, month - 1, date);
}

function nextDay(day: string): Date {
  const start = startOfDay(day);
  return new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1);
}

/** An account's posted lines between two days with the running balance, and its balance at any past day's end. */
export function StatementPage() {
  const { clients } = useConsole();
  const accounts = useMyAccounts();
  const [accountId, setAccountId] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [asOf, setAsOf] = useState("");
  const account = accounts.data?.find((candidate) => candidate.id === accountId) ?? accounts.data?.[0];

  const lines = usePages<StatementLine>(
    async (pageToken, signal) => {
      if (account === undefined) return { items: [], nextPageToken: "" };
      const page = await clients.ledger.listStatement(
        {
          accountId: account.id,
          startTime: from ? timestampFromDate(startOfDay(from)) : undefined,
          endTime: to ? timestampFromDate(nextDay(to)) : undefined,
          pageSize: 50,
          pageToken,
        },
        { signal },
      );
      return { items: page.lines, nextPageToken: page.nextPageToken };
    },
    [clients, account?.id, from, to],
  );
  const past = useRpc(
    async (signal) =>
      account && asOf
        ? clients.ledger.getBalance({ accountId: account.id, asOf: timestampFromDate(nextDay(asOf)) }, { signal })
        : undefined,
    [clients, account?.id, asOf],
  );

  if (accounts.data === undefined) {
    return (
      <Page title="Statement">
        {accounts.loading ? <Loading what="your wallets" /> : <ErrorNote error={accounts.error} onRetry={accounts.reload} />}
      </Page>
    );
  }
  if (account === undefined) {
    return (
      <Page title="Statement">
        <Empty>You have no wallets yet.</Empty>
      </Page>
    );
  }
  const today = new Date().toISOString().slice(0, 10);
  return (
    <Page title="Statement">
      <form class="filters" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label for="account">Wallet</label>
          <select id="account" value={account.id} onChange={(event) => setAccountId(event.currentTarget.value)}>
            {accounts.data.map((candidate) => (
              <option key={candidate.id} value={candidate.id}>
                {candidate.currency} {candidate.code}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="from">From (first day)</label>
          <input id="from" type="date" max={to || today} value={from} onChange={(event) => setFrom(event.currentTarget.value)} />
        </div>
        <div>
          <label for="to">To (last day)</label>
          <input id="to" type="date" min={from} max={today} value={to} onChange={(event) => setTo(event.currentTarget.value)} />
        </div>
        <div>
          <label for="as-of">Balance at the end of</label>
          <input id="as-of" type="date" max={today} value={asOf} onChange={(event) => setAsOf(event.currentTarget.value)} />
        </div>
      </form>
      {asOf && (
        <p class="as-of" data-testid="balance-as-of">
          {past.data?.balances ? (
            <>
              Balance at the end of {startOfDay(asOf).toLocaleDateString()}:{" "}
              <Money amount={past.data.balances.balance} currency={past.data.currency} />
            </>
          ) : past.loading ? (
            "Working out the balance…"
          ) : null}
        </p>
      )}
      <ErrorNote error={past.error} />
      <ErrorNote error={lines.error} onRetry={lines.loadMore} />
      {lines.items.length === 0 ? (
        lines.loading ? (
          <Loading what="the statement" />
        ) : (
          <Empty>No posted lines {from || to ? "in these days" : "yet"}.</Empty>
        )
      ) : (
        <table class="table" data-testid="statement">
          <thead>
            <tr>
              <th scope="col">Posted</th>
              <th scope="col">Note</th>
              <th scope="col" class="num">
                Amount
              </th>
              <th scope="col" class="num">
                Balance
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.items.map((line) => (
              <tr key={`${line.entryId}:${line.lineIndex}`}>
                <td>
                  <When time={line.postTime} />
                </td>
                <td>{line.memo}</td>
                <td class="num">
                  <Money amount={line.side === Side.CREDIT ? line.amount : -line.amount} currency={account.currency} signed />
                </td>
                <td class="num">
                  <Money amount={line.balanceAfter} currency={account.currency} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {lines.more && (
        <button type="button" class="secondary" onClick={lines.loadMore} disabled={lines.loading}>
          {lines.loading ? "Loading…" : "Show later lines"}
        </button>
      )}
    </Page>
  );
}
