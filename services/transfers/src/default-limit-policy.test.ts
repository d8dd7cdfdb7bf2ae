import { expect, it } from "vitest";
import { defaultLimitPolicy } from "./default-limit-policy.js";

it("defaults limits to 10,000 / 20,000 / 100,000 major units", () => {
  expect(defaultLimitPolicy("USD")).toEqual({ perTransactionMax: 1_000_000n, dailyMax: 2_000_000n, monthlyMax: 10_000_000n });
  expect(defaultLimitPolicy("JPY")).toEqual({ perTransactionMax: 10_000n, dailyMax: 20_000n, monthlyMax: 100_000n });
});
