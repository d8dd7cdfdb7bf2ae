import { formatMinor, parseMinor } from "@paymesh/domain/money";
import type { LimitPolicy } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote } from "../ui.js";

const FIELDS = [
  { key: "perTransactionMax", label: "Largest single transfer", id: "per-transaction" },
  { key: "dailyMax", label: "Most per account per UTC day", id: "daily" },
  { key: "monthlyMax", label: "Most per account per UTC month", id: "monthly" },
] as const;

type Key = (typeof FIELDS)[number]["key"];

/** Replaces a currency's limits (SetLimitPolicy), amounts typed as a person writes money. */
export function LimitPolicyForm(props: { policy: LimitPolicy; onSaved(): void; onCancel(): void }) {
  const { clients } = useConsole();
  const { currency } = props.policy;
  const [texts, setTexts] = useState<Record<Key, string>>(() => ({
    perTransactionMax: asTyped(props.policy.perTransactionMax, currency),
    dailyMax: asTyped(props.policy.dailyMax, currency),
    monthlyMax: asTyped(props.policy.monthlyMax, currency),
  }));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    let amounts: Record<Key, bigint>;
    try {
      amounts = {
        perTransactionMax: parseLimit(texts.perTransactionMax, currency),
        dailyMax: parseLimit(texts.dailyMax, currency),
        monthlyMax: parseLimit(texts.monthlyMax, currency),
      };
      if (amounts.perTransactionMax > amounts.dailyMax || amounts.dailyMax > amounts.monthlyMax) {
        throw new RangeError("A single transfer may not exceed the daily limit, nor a day the monthly one.");
      }
    } catch (caught) {
      setError(caught);
      return;
    }
    setBusy(true);
    try {
      await clients.transfers.setLimitPolicy({ policy: { currency, ...amounts } });
      props.onSaved();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="op-policy-form" onSubmit={submit} aria-label={`${currency} limits`}>
      {FIELDS.map((field) => (
        <div key={field.key}>
          <label for={`limit-${currency}-${field.id}`}>
            {field.label} ({currency})
          </label>
          <input
            id={`limit-${currency}-${field.id}`}
            inputMode="decimal"
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
          {busy ? "Saving…" : "Save limits"}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The amount as the form shows it: formatMinor's figure without the currency, which the label already gives. */
function asTyped(amount: bigint, currency: string): string {
  return formatMinor(amount, currency).slice(0, -(currency.length + 1));
}

function parseLimit(text: string, currency: string): bigint {
  const amount = parseMinor(text, currency);
  if (amount <= 0n) throw new RangeError("Every limit must be more than zero.");
  return amount;
}
