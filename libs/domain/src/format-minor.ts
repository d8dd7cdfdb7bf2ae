import { currencyExponent } from "./currency-exponent.js";

/** An amount in minor units for a person: `formatMinor(2000000n, "USD")` is `20,000.00 USD`. */
export function formatMinor(amount: bigint, currency: string): string {
  const exponent = currencyExponent(currency) ?? 2;
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction} ${currency}`;
}
