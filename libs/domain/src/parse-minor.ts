import { currencyExponent } from "./currency-exponent.js";

/**
 * An amount a person typed ("5", "5.5", "1,234.56") in minor units of `currency`: `500n`,
 * `550n`, `123456n` for USD. Never through a float, so every cent survives. Throws a
 * `RangeError` whose message says what to type instead; thousands separators are only `,`.
 */
export function parseMinor(input: string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new RangeError(`${currency} is not a currency we know`);
  const text = input.trim();
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$/.exec(text);
  if (match === null) {
    throw new RangeError(`"${input}" is not an amount: type digits, with a "." before the ${exponent > 0 ? "minor units" : "end"}`);
  }
  const whole = match[1]!.replaceAll(",", "");
  const fraction = match[2] ?? "";
  if (fraction.length > exponent) {
    throw new RangeError(
      exponent === 0 ? `${currency} has no minor units: type a whole amount` : `${currency} has ${exponent} decimal places at most`,
    );
  }
  return BigInt(whole + fraction.padEnd(exponent, "0"));
}
