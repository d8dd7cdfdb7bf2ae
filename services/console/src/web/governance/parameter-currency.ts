import { type Parameter, ParameterType } from "@paymesh/gen/paymesh/governance/v1/governance_pb";

/**
 * The currency of a money-valued parameter, or undefined for a count. Governance says it only in
 * the unit ("USD minor units (1/100 USD)"), which starts with the ISO code.
 */
export function parameterCurrency(parameter: Parameter): string | undefined {
  if (parameter.type !== ParameterType.AMOUNT) return undefined;
  return /^[A-Z]{3}\b/.exec(parameter.unit)?.[0];
}
