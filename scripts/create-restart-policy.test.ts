import { describe, expect, it } from "vitest";
import { createRestartPolicy } from "./create-restart-policy.js";

describe("createRestartPolicy", () => {
  it("waits 0.5 s, then twice as long after each quick crash, up to 30 s", () => {
    const policy = createRestartPolicy();
    expect(Array.from({ length: 9 }, () => policy.delayAfter(100))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it("starts from the first pause again after a run that lasted", () => {
    const policy = createRestartPolicy({ initialDelayMs: 10, maxDelayMs: 1_000, stableAfterMs: 5_000 });
    expect([policy.delayAfter(0), policy.delayAfter(0), policy.delayAfter(0)]).toEqual([10, 20, 40]);
    expect(policy.delayAfter(5_000)).toBe(10);
    expect(policy.delayAfter(4_999)).toBe(20);
  });
});
