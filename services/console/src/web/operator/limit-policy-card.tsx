import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote, Loading, Money } from "../ui.js";
import { useRpc } from "../use-rpc.js";
import { LimitPolicyForm } from "./limit-policy-form.js";

/** One currency's limits in force, and the form that replaces them. */
export function LimitPolicyCard(props: { currency: string }) {
  const { clients } = useConsole();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const policy = useRpc((signal) => clients.transfers.getLimitPolicy({ currency: props.currency }, { signal }), [clients, props.currency]);
  const limits = policy.data?.policy;
  return (
    <li class="card" data-testid={`limit-policy-${props.currency}`}>
      <h4>{props.currency}</h4>
      <ErrorNote error={policy.error} onRetry={policy.reload} />
      {limits === undefined ? (
        policy.loading && <Loading what={`the ${props.currency} limits`} />
      ) : editing ? (
        <LimitPolicyForm
          policy={limits}
          onSaved={() => {
            setEditing(false);
            setSaved(true);
            policy.reload();
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <>
          <dl class="balances">
            <dt>Per transfer</dt>
            <dd data-testid="per-transaction-max">
              <Money amount={limits.perTransactionMax} currency={props.currency} />
            </dd>
            <dt>Per day</dt>
            <dd data-testid="daily-max">
              <Money amount={limits.dailyMax} currency={props.currency} />
            </dd>
            <dt>Per month</dt>
            <dd data-testid="monthly-max">
              <Money amount={limits.monthlyMax} currency={props.currency} />
            </dd>
          </dl>
          <button
            type="button"
            class="secondary"
            aria-label={`Change the ${props.currency} limits`}
            onClick={() => {
              setSaved(false);
              setEditing(true);
            }}
          >
            Change
          </button>
        </>
      )}
      <p class="hint" role="status">
        {saved && !editing && "Saved: these limits are in force now."}
      </p>
    </li>
  );
}
