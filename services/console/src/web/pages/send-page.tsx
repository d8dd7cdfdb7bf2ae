import { formatMinor, parseMinor } from "@paymesh/domain/money";
import type { ResolvedHandle } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { type Transfer, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { useRef, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote, Loading, Money, Page } from "../ui.js";
import { useMyAccounts } from "../use-my-accounts.js";

interface Draft {
  fromAccountId: string;
  toHandle: string;
  amountText: string;
  memo: string;
}

interface Review {
  draft: Draft;
  amount: bigint;
  currency: string;
  payee: ResolvedHandle;
  /** One key per submitted form: every retry of this payment (a double click too) sends it. */
  idempotencyKey: string;
}

/**
 * Send money by handle in two steps: the payee's masked name is shown before anything moves,
 * then one confirmed payment per review, whatever happens to the button or the network.
 */
export function SendPage() {
  const { clients } = useConsole();
  const accounts = useMyAccounts();
  const [draft, setDraft] = useState<Draft>({ fromAccountId: "", toHandle: "", amountText: "", memo: "" });
  const [review, setReview] = useState<Review>();
  const [result, setResult] = useState<Transfer>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const sending = useRef(false);

  const wallets = accounts.data ?? [];
  const from = wallets.find((account) => account.id === draft.fromAccountId) ?? wallets[0];
  const update = (patch: Partial<Draft>) => setDraft((previous) => ({ ...previous, ...patch }));

  const toReview = async (event: Event) => {
    event.preventDefault();
    if (from === undefined) return;
    setError(undefined);
    let amount: bigint;
    try {
      amount = parseMinor(draft.amountText, from.currency);
      if (amount <= 0n) throw new RangeError("The amount must be more than zero.");
    } catch (caught) {
      setError(caught);
      return;
    }
    setBusy(true);
    try {
      const { resolved } = await clients.handles.resolveHandle({ handle: draft.toHandle.trim() });
      setReview({
        draft: { ...draft, fromAccountId: from.id },
        amount,
        currency: from.currency,
        payee: resolved!,
        idempotencyKey: crypto.randomUUID(),
      });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const confirm = async () => {
    if (review === undefined || sending.current) return;
    sending.current = true;
    setBusy(true);
    setError(undefined);
    try {
      const { transfer } = await clients.transfers.createTransfer({
        idempotencyKey: review.idempotencyKey,
        fromAccountId: review.draft.fromAccountId,
        to: { case: "toHandle", value: review.payee.handle },
        amount: review.amount,
        currency: review.currency,
        memo: review.draft.memo,
      });
      setResult(transfer);
    } catch (caught) {
      // Kept: "Send" again retries with the same key, so it cannot pay twice.
      setError(caught);
    } finally {
      sending.current = false;
      setBusy(false);
    }
  };

  const startOver = (keep: boolean) => {
    setResult(undefined);
    setReview(undefined);
    setError(undefined);
    if (!keep) setDraft({ fromAccountId: draft.fromAccountId, toHandle: "", amountText: "", memo: "" });
  };

  if (accounts.data === undefined) {
    return (
      <Page title="Send money">
        {accounts.loading ? <Loading what="your wallets" /> : <ErrorNote error={accounts.error} onRetry={accounts.reload} />}
      </Page>
    );
  }

  if (result !== undefined && review !== undefined) {
    const payee = `${review.payee.handle} (${review.payee.maskedDisplayName})`;
    return (
      <Page title="Send money">
        {result.status === TransferStatus.COMPLETED ? (
          <div class="outcome success" role="status" data-testid="send-outcome">
            <p>
              Sent <Money amount={result.amount} currency={result.currency} /> to {payee}.
            </p>
          </div>
        ) : result.status === TransferStatus.FAILED ? (
          <div class="outcome failure" role="alert" data-testid="send-outcome">
            <p>Not sent: {result.failureMessage || "the payment was refused"}. No money moved.</p>
          </div>
        ) : (
          <div class="outcome" role="status" data-testid="send-outcome">
            <p>Your payment to {payee} is being processed; it will show in your history when it settles.</p>
          </div>
        )}
        <p class="hint mono">Transfer {result.id}</p>
        <div class="actions">
          <button type="button" onClick={() => startOver(false)}>
            Send another
          </button>
          {result.status === TransferStatus.FAILED && (
            <button type="button" class="secondary" onClick={() => startOver(true)}>
              Change and try again
            </button>
          )}
          <a href="#/history">See history</a>
        </div>
      </Page>
    );
  }

  if (review !== undefined) {
    return (
      <Page title="Confirm payment">
        <div class="review" data-testid="review">
          <p>
            You are sending <Money amount={review.amount} currency={review.currency} /> to
          </p>
          <p class="payee">
            <strong data-testid="payee-name">{review.payee.maskedDisplayName}</strong> <span class="mono">{review.payee.handle}</span>
            {review.payee.verified && <span class="tag">verified</span>}
          </p>
          {review.draft.memo && <p class="hint">“{review.draft.memo}”</p>}
        </div>
        <ErrorNote error={error} />
        <div class="actions">
          <button type="button" onClick={confirm} disabled={busy} aria-busy={busy}>
            {busy ? "Sending…" : error ? "Try again" : "Send now"}
          </button>
          <button type="button" class="secondary" onClick={() => startOver(true)} disabled={busy}>
            Back
          </button>
        </div>
      </Page>
    );
  }

  return (
    <Page title="Send money">
      {wallets.length === 0 ? (
        <p class="empty">You need a wallet to send money.</p>
      ) : (
        <form class="form" onSubmit={toReview}>
          <label for="from">From</label>
          <select id="from" value={from?.id} onChange={(event) => update({ fromAccountId: event.currentTarget.value })}>
            {wallets.map((account) => (
              <option key={account.id} value={account.id}>
                {account.currency} {account.code} — available {formatMinor(account.balances?.available ?? 0n, account.currency)}
              </option>
            ))}
          </select>
          <label for="to">To (handle)</label>
          <input
            id="to"
            placeholder="@bob"
            autoComplete="off"
            required
            value={draft.toHandle}
            onInput={(event) => update({ toHandle: event.currentTarget.value })}
          />
          <label for="amount">Amount ({from?.currency})</label>
          <input
            id="amount"
            inputMode="decimal"
            placeholder="5.00"
            required
            value={draft.amountText}
            onInput={(event) => update({ amountText: event.currentTarget.value })}
          />
          <label for="memo">Note for them (optional)</label>
          <input id="memo" maxLength={280} value={draft.memo} onInput={(event) => update({ memo: event.currentTarget.value })} />
          <ErrorNote error={error} />
          <button type="submit" disabled={busy}>
            {busy ? "Looking them up…" : "Review"}
          </button>
        </form>
      )}
    </Page>
  );
}
