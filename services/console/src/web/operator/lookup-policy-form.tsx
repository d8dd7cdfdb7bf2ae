import type { LookupPolicy } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote } from "../ui.js";

const FIELDS = [
  { key: "capacity", label: "Tokens a full bucket holds", id: "capacity" },
  { key: "refillPerMinute", label: "Tokens added back per minute", id: "refill" },
  { key: "hitCost", label: "Tokens a lookup that finds a handle costs", id: "hit-cost" },
  { key: "missCost", label: "Tokens a lookup that finds nothing costs", id: "miss-cost" },
] as const;

type Key = (typeof FIELDS)[number]["key"];

/**
 * Replaces the lookup bucket (SetLookupPolicy). Only whole numbers are checked here: the bounds
 * and the rule that a miss costs at least a hit are the handles service's, and its refusal says which.
 */
export function LookupPolicyForm(props: { policy: LookupPolicy; onSaved(): void; onCancel(): void }) {
  const { clients } = useConsole();
  const [texts, setTexts] = useState<Record<Key, string>>(() => ({
    capacity: props.policy.capacity.toString(),
    refillPerMinute: props.policy.refillPerMinute.toString(),
    hitCost: props.policy.hitCost.toString(),
    missCost: props.policy.missCost.toString(),
  }));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    let counts: Record<Key, bigint>;
    try {
      counts = {
        capacity: parseCount(texts.capacity, "The bucket size"),
        refillPerMinute: parseCount(texts.refillPerMinute, "The refill"),
        hitCost: parseCount(texts.hitCost, "A hit's cost"),
        missCost: parseCount(texts.missCost, "A miss's cost"),
      };
    } catch (caught) {
      setError(caught);
      return;
    }
    setBusy(true);
    try {
      await clients.handles.setLookupPolicy({ policy: counts });
      props.onSaved();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="op-policy-form" onSubmit={submit} aria-label="Lookup policy">
      {FIELDS.map((field) => (
        <div key={field.key}>
          <label for={`lookup-${field.id}`}>{field.label}</label>
          <input
            id={`lookup-${field.id}`}
            inputMode="numeric"
            autoComplete="off"
            required
            value={texts[field.key]}
            onInput={(event) => {
              const value = event.currentTarget.value;
              setTexts((previous) => ({ ...previous, [field.key]: value }));
            }}
          />
        </div>
      ))}
      <ErrorNote error={error} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Save lookup policy"}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function parseCount(text: string, what: string): bigint {
  const digits = text.trim().replaceAll(",", "");
  if (!/^\d+$/.test(digits)) throw new RangeError(`${what} must be a whole number of tokens, e.g. 60.`);
  return BigInt(digits);
}
