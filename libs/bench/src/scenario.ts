/** One operation of a load: `i` counts operations from 0, so scenarios can spread keys. */
export type Operation = (i: number) => Promise<unknown>;

/**
 * Builds a scenario's operation inside the load-generator process from JSON parameters the
 * benchmark passes (URLs, tokens, ids it seeded). A module of scenarios exports
 * `scenarios: Record<string, Scenario>`.
 */
export type Scenario = (params: Record<string, unknown>) => Promise<Operation> | Operation;
