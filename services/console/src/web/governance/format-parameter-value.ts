import { formatMinor } from "@paymesh/domain/money";
import type { Parameter } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { parameterCurrency } from "./parameter-currency.js";

/**
 * A parameter's value for a person: money as an amount ("25,000.00 USD"), a count with its unit
 * ("600 tokens"). Without the parameter (the rules could not be loaded) the bare number.
 */
export function formatParameterValue(value: bigint, parameter: Parameter | undefined): string {
  if (parameter === undefined) return value.toString();
  const currency = parameterCurrency(parameter);
  if (currency !== undefined) return formatMinor(value, currency);
  return `${value.toLocaleString("en-US")} ${parameter.unit}`;
}
