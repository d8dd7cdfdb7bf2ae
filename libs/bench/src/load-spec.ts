/** What the load-generator process runs, passed to it as JSON. */
export interface LoadSpec {
  /** The row's name in the report. */
  name: string;
  /** A module relative to the repository root that exports `scenarios`. */
  module: string;
  scenario: string;
  params?: Record<string, unknown>;
  mode: "closed-loop" | "fixed-rate";
  /** Closed loop: operations kept in flight. */
  concurrency?: number;
  /** Fixed rate: operations started per second. */
  rate?: number;
  /** Fixed rate: operations in flight before a start counts as an error. Default the rate. */
  maxInFlight?: number;
  durationMs: number;
  /** Unreported closed-loop run first (JIT, connections, caches). Default 1 s. */
  warmupMs?: number;
  /** Items per operation (entries per batch call); rates are reported in items. Default 1. */
  itemsPerOp?: number;
}
