import { create } from "@bufbuild/protobuf";
import { ParameterSchema, ParameterType } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { describe, expect, it } from "vitest";
import { formatParameterValue } from "./format-parameter-value.js";
import { parseParameterValue } from "./parse-parameter-value.js";

// The two kinds of parameter as ListParameters describes them.
const DAILY_MAX = create(ParameterSchema, {
  name: "transfers.limits.USD.daily_max",
  type: ParameterType.AMOUNT,
  unit: "USD minor units (1/100 USD)",
  minValue: 100n,
  maxValue: 10_000_000_000n,
  currentValue: 2_000_000n,
});
const CAPACITY = create(ParameterSchema, {
  name: "handles.lookup.capacity",
  type: ParameterType.COUNT,
  unit: "tokens",
  minValue: 1n,
  maxValue: 1_000_000n,
  currentValue: 60n,
});

describe("parameter values as people read and type them", () => {
  it("shows money as an amount and counts with their unit", () => {
    expect(formatParameterValue(2_500_000n, DAILY_MAX)).toBe("25,000.00 USD");
    expect(formatParameterValue(1_200n, CAPACITY)).toBe("1,200 tokens");
    expect(formatParameterValue(2_500_000n, undefined)).toBe("2500000");
  });

  it("reads an amount into minor units, and a count as a whole number", () => {
    expect(parseParameterValue("25000.00", DAILY_MAX)).toBe(2_500_000n);
    expect(parseParameterValue(" 25,000 ", DAILY_MAX)).toBe(2_500_000n);
    expect(parseParameterValue("1,200", CAPACITY)).toBe(1_200n);
  });

  it("says what to type instead of a value the service would refuse", () => {
    expect(() => parseParameterValue("25000.001", DAILY_MAX)).toThrow("USD has 2 decimal places at most");
    expect(() => parseParameterValue("0.50", DAILY_MAX)).toThrow("The new value must be from 1.00 USD to 100,000,000.00 USD.");
    expect(() => parseParameterValue("20000", DAILY_MAX)).toThrow("It is already 20,000.00 USD: propose a different value.");
    expect(() => parseParameterValue("1.5", CAPACITY)).toThrow('"1.5" is not a number of tokens: type a whole number.');
    expect(() => parseParameterValue("1000001", CAPACITY)).toThrow("The new value must be from 1 tokens to 1,000,000 tokens.");
  });
});
