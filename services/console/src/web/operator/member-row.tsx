import type { Member } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useEffect, useRef, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote, When } from "../ui.js";

/** One member, removable after a confirmation in the row itself. */
export function MemberRow(props: { member: Member; onRemoved(subject: string): void }) {
  const { clients } = useConsole();
  const { subject } = props.member;
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  useEffect(() => {
    // Focus follows the question: on "Keep" while it is asked (Enter does the harmless thing), back on "Remove" after.
    if (confirming) keep.current?.focus();
    else if (wasConfirming.current) ask.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const remove = async () => {
    setError(undefined);
    setBusy(true);
    try {
      await clients.governance.removeMember({ subject });
      props.onRemoved(subject);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <tr data-testid={`member-${subject}`}>
      <td>{subject}</td>
      <td>{props.member.addedBy}</td>
      <td>
        <When time={props.member.addTime} />
      </td>
      <td>
        {confirming ? (
          <div class="row-actions">
            <span>Remove {subject}?</span>
            <button type="button" onClick={remove} disabled={busy}>
              {busy ? "Removing…" : "Yes, remove"}
            </button>
            <button type="button" class="secondary" ref={keep} onClick={() => setConfirming(false)} disabled={busy}>
              Keep
            </button>
          </div>
        ) : (
          <button type="button" class="link" ref={ask} aria-label={`Remove ${subject}`} onClick={() => setConfirming(true)}>
            Remove
          </button>
        )}
        <ErrorNote error={error} />
      </td>
    </tr>
  );
}
