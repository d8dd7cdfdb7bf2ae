import type { ReconcileResponse } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote, When } from "../ui.js";
import { formatDuration } from "./format-duration.js";

/** Runs the ledger's reconciliation on demand and shows what it checked and any drift it found. */
export function ReconcilePanel() {
  const { clients } = useConsole();
  const [result, setResult] = useState<ReconcileResponse>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setError(undefined);
    setBusy(true);
    try {
      setResult(await clients.ledger.reconcile({}));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="operator-reconcile-title">
      <h2 id="operator-reconcile-title">Reconcile</h2>
      <p class="hint">
        Recomputes every figure the ledger keeps (account totals, pending totals, debits against credits per currency, the statement read
        table) from its immutable journal and lists where they disagree. It changes nothing, and runs started while one is running share its
        result.
      </p>
      <button type="button" onClick={run} disabled={busy} aria-busy={busy}>
        {busy ? "Reconciling…" : "Run reconcile"}
      </button>
      <ErrorNote error={error} onRetry={run} />
      <p class="visually-hidden" role="status">
        {!busy && result && (result.findings.length === 0 ? "Reconcile finished: no drift." : "Reconcile finished: the ledger disagrees.")}
      </p>
      {result && (
        <div class="op-reconcile" data-testid="reconcile-result">
          <p>
            Checked {result.accountsChecked.toLocaleString()} {result.accountsChecked === 1n ? "account" : "accounts"} and{" "}
            {result.entriesChecked.toLocaleString()} {result.entriesChecked === 1n ? "entry" : "entries"}
            {result.duration && ` in ${formatDuration(result.duration)}`}, started <When time={result.startTime} />.
          </p>
          {result.findings.length === 0 ? (
            <p class="outcome success" data-testid="reconcile-clean">
              No drift: the books agree.
            </p>
          ) : (
            <>
              <p class="outcome failure">
                {result.findings.length} {result.findings.length === 1 ? "disagreement" : "disagreements"} (at most 20 per check are
                listed). The runbook's “Reconcile drift” section (<code>docs/runbook.md</code>) says what to do.
              </p>
              <table class="table compact" data-testid="reconcile-findings">
                <caption class="visually-hidden">Where the ledger's figures disagree with its journal</caption>
                <thead>
                  <tr>
                    <th scope="col">Check</th>
                    <th scope="col">What disagrees</th>
                  </tr>
                </thead>
                <tbody>
                  {result.findings.map((finding, index) => (
                    // Findings have no id, and two may read alike; the list is replaced whole on each run.
                    <tr key={index}>
                      <td>{finding.check}</td>
                      <td>{finding.detail}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </div>
      )}
    </section>
  );
}
