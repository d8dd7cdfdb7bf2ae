import { expect, it } from "vitest";
import type { PaymentLog } from "./payment-log.js";
import { summarizeAvailability } from "./summarize-availability.js";

const phases = { start: 10_000, faultAt: 16_000, restoredAt: 20_000, end: 30_000 };

it("splits answers into phases, rates completions per phase and finds the longest gap between final answers", () => {
  const log: PaymentLog = {
    answers: [
      [9_000, "COMPLETED"], // warm-up: before the window, not counted
      [11_000, "COMPLETED"],
      [15_000, "FAILED"],
      [16_500, "Unavailable"],
      [19_000, "Unavailable"],
      [21_500, "INITIATED"],
      [22_000, "COMPLETED"],
      [29_000, "COMPLETED"],
      [31_000, "COMPLETED"], // a payment finishing after the window
    ],
    payments: [
      { payer: "p", key: "a", startedAt: 0, endedAt: 1, attempts: 1, outcome: "COMPLETED", transferId: "t1" },
      { payer: "p", key: "b", startedAt: 0, endedAt: 1, attempts: 3, outcome: "COMPLETED", transferId: "t2" },
      { payer: "p", key: "c", startedAt: 0, endedAt: 1, attempts: 9, outcome: "GAVE_UP", transferId: "" },
    ],
  };
  const availability = summarizeAvailability(log, phases);
  expect(availability.seconds).toEqual({ before: 6, during: 4, after: 10 });
  expect(availability.answers).toEqual({
    before: { COMPLETED: 1, FAILED: 1 },
    during: { Unavailable: 2 },
    after: { INITIATED: 1, COMPLETED: 2 },
  });
  expect(availability.completedPerSecond).toEqual({ before: 1 / 6, during: 0, after: 0.2 });
  // From the FAILED at 15 s to the COMPLETED at 22 s: it began 1 s before the fault.
  expect(availability.longestGapMs).toBe(7_000);
  expect(availability.longestGapStartsMs).toBe(-1_000);
  expect(availability.firstFinalAfterRestoreMs).toBe(2_000);
  expect(availability.gaveUp).toBe(1);
  expect(availability.retried).toBe(2);
});

it("counts a window without any final answer as one gap, edge to edge", () => {
  const availability = summarizeAvailability({ answers: [[12_000, "Unavailable"]], payments: [] }, phases);
  expect(availability.longestGapMs).toBe(20_000);
  expect(availability.firstFinalAfterRestoreMs).toBeUndefined();
});
