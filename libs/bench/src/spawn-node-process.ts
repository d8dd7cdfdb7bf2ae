import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";

/** The repository's root: processes run from there, as `npm start` runs them. */
export const REPO_ROOT = join(import.meta.dirname, "..", "..", "..");

export interface NodeProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs` (default 15 s, above SHUTDOWN_GRACE_MS). */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnNodeProcessOptions {
  name: string;
  /** A TypeScript entry point relative to the repository root, run through tsx. */
  entry: string;
  env: Record<string, string | undefined>;
  /**
   * Where its stdout and stderr go. Default `.bench/logs/<name>.log`: a benchmark's own output
   * stays readable, and a service that failed leaves its reason behind.
   */
  logFile?: string;
}

/** Runs a TypeScript entry point in a Node process of its own, the way `npm start` runs a service. */
export function spawnNodeProcess(options: SpawnNodeProcessOptions): NodeProcess {
  const logDir = join(REPO_ROOT, ".bench", "logs");
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(options.logFile ?? join(logDir, `${options.name}.log`));
  // BENCH_CPU_PROFILE_DIR=<dir> has each process write a V8 CPU profile there when it exits,
  // to see where a scenario's CPU per item goes (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", join(REPO_ROOT, options.entry)], {
    cwd: REPO_ROOT,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    name: options.name,
    child,
    pid: child.pid!,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
