import fc from "fast-check";
import { expect, it } from "vitest";
import { usagePeriods } from "./usage-periods.js";

it("puts every moment in its UTC day and month", () => {
  fc.assert(
    fc.property(fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }), (at) => {
      const { day, month } = usagePeriods(at);
      const dayStart = Date.parse(`${day}T00:00:00Z`);
      expect(dayStart).toBeLessThanOrEqual(at.getTime());
      expect(at.getTime()).toBeLessThan(dayStart + 86_400_000);
      expect(month).toBe(`${day.slice(0, 7)}-01`);
    }),
  );
  expect(usagePeriods(new Date("2025-01-31T23:59:59.999Z"))).toEqual({ day: "2025-01-31", month: "2025-01-01" });
  expect(usagePeriods(new Date("2025-02-01T00:00:00.000Z"))).toEqual({ day: "2025-02-01", month: "2025-02-01" });
});
