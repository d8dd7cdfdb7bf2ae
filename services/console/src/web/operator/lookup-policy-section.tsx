import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote, Loading } from "../ui.js";
import { useRpc } from "../use-rpc.js";
import { LookupPolicyForm } from "./lookup-policy-form.js";

/** The token bucket that meters every caller's handle lookups, and the form that replaces it. */
export function LookupPolicySection() {
  const { clients } = useConsole();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const policy = useRpc((signal) => clients.handles.getLookupPolicy({}, { signal }), [clients]);
  const bucket = policy.data?.policy;
  return (
    <section aria-labelledby="operator-lookup-title">
      <h3 id="operator-lookup-title">Handle lookups</h3>
      <p class="hint">
        Each caller's lookups draw tokens from a bucket that refills over time; a lookup that finds nothing costs more, so nobody can walk
        the directory.
      </p>
      <ErrorNote error={policy.error} onRetry={policy.reload} />
      <div class="card op-policy" data-testid="lookup-policy">
        {bucket === undefined ? (
          policy.loading && <Loading what="the lookup policy" />
        ) : editing ? (
          <LookupPolicyForm
            policy={bucket}
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
              <dt>Bucket holds</dt>
              <dd data-testid="capacity">{tokens(bucket.capacity)}</dd>
              <dt>Refills</dt>
              <dd data-testid="refill-per-minute">{tokens(bucket.refillPerMinute)} a minute</dd>
              <dt>A lookup that finds a handle costs</dt>
              <dd data-testid="hit-cost">{tokens(bucket.hitCost)}</dd>
              <dt>A lookup that finds nothing costs</dt>
              <dd data-testid="miss-cost">{tokens(bucket.missCost)}</dd>
            </dl>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setSaved(false);
                setEditing(true);
              }}
            >
              Change the lookup policy
            </button>
          </>
        )}
        <p class="hint" role="status">
          {saved && !editing && "Saved: every handles instance applies it within a second."}
        </p>
      </div>
    </section>
  );
}

function tokens(count: bigint): string {
  return `${count.toLocaleString()} ${count === 1n ? "token" : "tokens"}`;
}
