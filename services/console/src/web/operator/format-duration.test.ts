import { describe, expect, it } from "vitest";
import { formatDuration } from "./format-duration.js";

describe("formatDuration", () => {
  it("reads short durations in milliseconds and seconds", () => {
    expect(formatDuration({ seconds: 0n, nanos: 340_000_000 })).toBe("340 ms");
    expect(formatDuration({ seconds: 4n, nanos: 250_000_000 })).toBe("4.2 s");
    expect(formatDuration({ seconds: 59n, nanos: 960_000_000 })).toBe("59.9 s");
    expect(formatDuration({ seconds: 0n, nanos: 0 })).toBe("0 ms");
  });

  it("reads long durations in their two largest units", () => {
    expect(formatDuration({ seconds: 200n, nanos: 0 })).toBe("3 min 20 s");
    expect(formatDuration({ seconds: 7_500n, nanos: 0 })).toBe("2 h 5 min");
    expect(formatDuration({ seconds: 273_600n, nanos: 0 })).toBe("3 d 4 h");
  });
});
