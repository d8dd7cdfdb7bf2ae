export { type LoadResult, summarize } from "./load-result.js";
export { report } from "./report.js";
export { type ClosedLoopOptions, runClosedLoop } from "./run-closed-loop.js";
export { type FixedRateOptions, runFixedRate } from "./run-fixed-rate.js";
