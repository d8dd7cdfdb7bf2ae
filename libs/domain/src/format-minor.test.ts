import { expect, it } from "vitest";
import { formatMinor } from "./format-minor.js";

it("formats minor units in the currency's own decimals", () => {
  expect(formatMinor(2_000_000n, "USD")).toBe("20,000.00 USD");
  expect(formatMinor(5n, "USD")).toBe("0.05 USD");
  expect(formatMinor(10_000n, "JPY")).toBe("10,000 JPY");
  expect(formatMinor(1_234_567n, "KWD")).toBe("1,234.567 KWD");
});
