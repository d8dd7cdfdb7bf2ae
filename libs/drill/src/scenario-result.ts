import type { CheckResult } from "./check-result.js";
import type { ProcessExit } from "./start-service-process.js";
import type { Availability } from "./summarize-availability.js";

/** Everything one drill found: its invariants (asserted) and its figures (reported). */
export interface ScenarioResult {
  scenario: string;
  fault: string;
  /** Every check passed and the drill ran to its end. */
  ok: boolean;
  /** Why the drill could not run to its end (infrastructure, start, seed or load failed); the checks then may be missing. */
  error?: string;
  seconds: number;
  /** The fault's own figures (exit and restart times). */
  faultFigures: Record<string, string | number>;
  /** From the fault's end until every process answered /readyz 200 again; undefined when they never did within the window. */
  meshReadyAfterMs?: number;
  /** Payments as their clients saw them, end to end with retries. */
  payments?: { total: number; completed: number; failed: number; gaveUp: number; p50Ms: number; p99Ms: number; maxMs: number };
  availability?: Availability;
  /** How long after the load the mesh took to settle (undefined: it did not within the bound), and what was left if not. */
  settle?: { settledMs: number | undefined; state: unknown };
  checks: CheckResult[];
  /** Exits no one asked for: a crash fails the drill whatever else held. */
  crashes: ProcessExit[];
  /** Where the processes' and servers' logs are. */
  logDir: string;
}
