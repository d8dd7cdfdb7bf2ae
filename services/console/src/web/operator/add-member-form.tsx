import type { Member } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote } from "../ui.js";

/** Adds a governance member by token subject; adding someone who already is changes nothing. */
export function AddMemberForm(props: { onAdded(member: Member): void }) {
  const { clients } = useConsole();
  const [subject, setSubject] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const { member } = await clients.governance.addMember({ subject: subject.trim() });
      setSubject("");
      props.onAdded(member!);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="op-inline-form" onSubmit={submit}>
      <label for="member-subject">Add a member</label>
      <input
        id="member-subject"
        aria-describedby="member-subject-hint"
        maxLength={128}
        autoComplete="off"
        placeholder="alice"
        required
        value={subject}
        onInput={(event) => setSubject(event.currentTarget.value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? "Adding…" : "Add member"}
      </button>
      <p id="member-subject-hint" class="hint">
        Their token subject (the <code>sub</code> claim their sign-in carries), not a handle.
      </p>
      <ErrorNote error={error} />
    </form>
  );
}
