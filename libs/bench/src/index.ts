export { summarize, type LoadResult } from "./load-result.js";
export { runFixedRate, type FixedRateOptions } from "./run-fixed-rate.js";
export { runClosedLoop, type ClosedLoopOptions } from "./run-closed-loop.js";
export { report } from "./report.js";
