import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createThrottledWarning } from "./create-throttled-warning.js";

/** A logger that keeps what it writes. */
function recordingLogger() {
  const lines: Array<{ msg: string; suppressed: number; err?: { message: string } }> = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("createThrottledWarning", () => {
  it("logs the first failure at once and then one line per interval, counting the ones it held back", () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const { logger, lines } = recordingLogger();
    const warn = createThrottledWarning({ logger, message: "cache down", intervalMs: 50 });
    for (let i = 0; i < 5; i++) warn(new Error(`failure ${i}`));
    expect(lines.map((line) => [line.msg, line.err?.message, line.suppressed])).toEqual([["cache down", "failure 0", 0]]);
    vi.advanceTimersByTime(40);
    warn(new Error("failure 5"));
    expect(lines).toHaveLength(1);
    vi.advanceTimersByTime(10);
    warn(new Error("failure 6"));
    expect(lines.map((line) => [line.err?.message, line.suppressed])).toEqual([
      ["failure 0", 0],
      ["failure 6", 5],
    ]);
  });
});
