import { currencyExponent } from "@paymesh/domain/money";
import { useState } from "preact/hooks";
import { ErrorNote, Loading } from "../ui.js";
import { LimitPolicyCard } from "./limit-policy-card.js";
import { useLimitCurrencies } from "./use-limit-currencies.js";

/** Transfer limits for USD, every governable currency, and any other currency the operator asks about. */
export function LimitPoliciesSection() {
  const governable = useLimitCurrencies();
  const [asked, setAsked] = useState<string[]>([]);
  const [code, setCode] = useState("");
  const [codeError, setCodeError] = useState<unknown>();
  const currencies = [...new Set(["USD", ...(governable.data ?? []), ...asked])];

  const show = (event: Event) => {
    event.preventDefault();
    const currency = code.trim().toUpperCase();
    if (currencyExponent(currency) === undefined) {
      setCodeError(new RangeError(`${currency || "That"} is not a currency code we know: type three letters, e.g. EUR.`));
      return;
    }
    setCodeError(undefined);
    setAsked((previous) => [...previous, currency]);
    setCode("");
  };

  return (
    <section aria-labelledby="operator-limits-title">
      <h3 id="operator-limits-title">Transfer limits</h3>
      <p class="hint">What one account may send, per currency. A currency nobody set a policy for uses the transfers service's defaults.</p>
      <ErrorNote error={governable.error} onRetry={governable.reload} />
      <ul class="cards">
        {currencies.map((currency) => (
          <LimitPolicyCard key={currency} currency={currency} />
        ))}
      </ul>
      {governable.loading && <Loading what="the governable currencies" />}
      <form class="op-inline-form" onSubmit={show}>
        <label for="limit-currency">Another currency</label>
        <input
          id="limit-currency"
          maxLength={3}
          autoComplete="off"
          placeholder="EUR"
          required
          value={code}
          onInput={(event) => setCode(event.currentTarget.value)}
        />
        <button type="submit" class="secondary">
          Show its limits
        </button>
      </form>
      <ErrorNote error={codeError} />
    </section>
  );
}
