import type { Proposal } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote } from "../ui.js";

/** Cancels a proposal after asking once: a canceled proposal can never take effect. */
export function CancelProposal(props: { proposal: Proposal; onCanceled: (proposal: Proposal) => void }) {
  const { clients } = useConsole();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  if (!confirming) {
    return (
      <button type="button" class="secondary" data-testid="cancel-proposal" onClick={() => setConfirming(true)}>
        Cancel proposal
      </button>
    );
  }
  const cancel = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { proposal } = await clients.governance.cancelProposal({ id: props.proposal.id });
      setConfirming(false);
      props.onCanceled(proposal!);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="confirm">
      <p>Cancel this proposal? It will never take effect, and this cannot be undone.</p>
      <div class="actions">
        <button type="button" data-testid="confirm-cancel" onClick={cancel} disabled={busy} aria-busy={busy}>
          {busy ? "Canceling…" : "Yes, cancel it"}
        </button>
        <button type="button" class="secondary" onClick={() => setConfirming(false)} disabled={busy}>
          Keep it
        </button>
      </div>
      <ErrorNote error={error} />
    </div>
  );
}
