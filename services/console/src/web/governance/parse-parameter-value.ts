import { parseMinor } from "@paymesh/domain/money";
import type { Parameter } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { formatParameterValue } from "./format-parameter-value.js";
import { parameterCurrency } from "./parameter-currency.js";

/**
 * The value a person typed for a parameter, in the parameter's units: an amount ("25000.00") in
 * minor units of its currency, a count as a whole number. Throws a RangeError saying what to type
 * when it is not a value the service would take (out of bounds, or the value in force).
 */
export function parseParameterValue(text: string, parameter: Parameter): bigint {
  const currency = parameterCurrency(parameter);
  const value = currency === undefined ? parseCount(text, parameter.unit) : parseMinor(text, currency);
  const format = (amount: bigint) => formatParameterValue(amount, parameter);
  if (value < parameter.minValue || value > parameter.maxValue) {
    throw new RangeError(`The new value must be from ${format(parameter.minValue)} to ${format(parameter.maxValue)}.`);
  }
  if (value === parameter.currentValue) throw new RangeError(`It is already ${format(value)}: propose a different value.`);
  return value;
}

function parseCount(text: string, unit: string): bigint {
  const match = /^(\d{1,3}(?:,\d{3})+|\d+)$/.exec(text.trim());
  if (match === null) throw new RangeError(`"${text}" is not a number of ${unit}: type a whole number.`);
  return BigInt(match[1]!.replaceAll(",", ""));
}
