/** One operation of a load: `i` counts operations from 0, so scenarios can spread keys. */
export type Operation = (i: number) => Promise<unknown>;

/**
 * An operation that keeps a record of its own beyond latencies (e.g. every answer a retrying
 * client got, with its time), which the load generator sends back with the result as `record`.
 */
export interface RecordingOperation {
  op: Operation;
  /** Read once, when the measured window has closed; must be JSON-serialisable. */
  record(): unknown;
}

/**
 * Builds a scenario's operation inside the load-generator process from JSON parameters the
 * benchmark passes (URLs, tokens, ids it seeded). A module of scenarios exports
 * `scenarios: Record<string, Scenario>`.
 */
export type Scenario = (params: Record<string, unknown>) => Promise<Operation | RecordingOperation> | Operation | RecordingOperation;
