import { spawn } from "node:child_process";
import { describe, expect, it, vi } from "vitest";
import { createRestartPolicy } from "./create-restart-policy.js";
import { type ProcessExit, superviseProcess } from "./supervise-process.js";

/** A Node child running `code`. */
const node = (code: string) => () => spawn(process.execPath, ["-e", code], { stdio: "ignore" });

describe("superviseProcess", () => {
  it("starts a process that keeps exiting again, with the policy's growing pauses", async () => {
    const exits: ProcessExit[] = [];
    const supervisor = superviseProcess({
      start: node("process.exit(3)"),
      policy: createRestartPolicy({ initialDelayMs: 10, maxDelayMs: 40 }),
      onExit: (exit) => exits.push(exit),
    });
    try {
      await vi.waitFor(() => expect(exits.length).toBeGreaterThanOrEqual(4), { timeout: 15_000, interval: 20 });
    } finally {
      await supervisor.stop();
    }
    expect(exits.slice(0, 4).map(({ code, restartInMs }) => ({ code, restartInMs }))).toEqual([
      { code: 3, restartInMs: 10 },
      { code: 3, restartInMs: 20 },
      { code: 3, restartInMs: 40 },
      { code: 3, restartInMs: 40 },
    ]);
  });

  it("restarts a process that was killed, then stops it with SIGTERM and restarts no more", async () => {
    const exits: ProcessExit[] = [];
    const supervisor = superviseProcess({
      start: node("setInterval(() => {}, 1000)"),
      policy: createRestartPolicy({ initialDelayMs: 10 }),
      onExit: (exit) => exits.push(exit),
    });
    const first = supervisor.child!;
    first.kill("SIGKILL");
    await vi.waitFor(() => expect(supervisor.child?.pid, "a new process").not.toBe(first.pid), { timeout: 15_000, interval: 20 });
    expect(supervisor.child).toBeDefined();
    expect(exits).toEqual([expect.objectContaining({ code: null, signal: "SIGKILL", restartInMs: 10 })]);

    const second = supervisor.child!;
    await supervisor.stop();
    expect(second.signalCode).toBe("SIGTERM");
    expect(supervisor.child).toBeUndefined();
    expect(exits).toHaveLength(1);
  });

  it("kills a process that ignores SIGTERM once the grace has passed", async () => {
    // The child says when its handler is in place, so SIGTERM cannot arrive before it.
    const supervisor = superviseProcess({
      start: () =>
        spawn(process.execPath, ["-e", "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"], {
          stdio: ["ignore", "pipe", "ignore"],
        }),
    });
    const child = supervisor.child!;
    await new Promise((resolve) => child.stdout!.once("data", resolve));
    await supervisor.stop(200);
    expect(child.signalCode).toBe("SIGKILL");
  });
});
