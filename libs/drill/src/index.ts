export { DRILL_SCENARIOS } from "./drill-scenarios.js";
export type { FaultContext, FaultScenario } from "./fault-scenario.js";
export { type RunDrillOptions, runDrill } from "./run-drill.js";
export { type RunScenarioOptions, runScenario } from "./run-scenario.js";
export type { ScenarioResult } from "./scenario-result.js";
