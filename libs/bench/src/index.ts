export { CEILING_SCENARIOS } from "./ceiling-scenarios.js";
export type { CpuSource } from "./cpu-source.js";
export { type BenchClientOptions, createBenchClient } from "./create-bench-client.js";
export type { LoadResult } from "./load-result.js";
export type { LoadSpec } from "./load-spec.js";
export { report } from "./report.js";
export { type MeasuredLoad, runLoadProcess } from "./run-load-process.js";
export type { Operation, Scenario } from "./scenario.js";
export { type BenchMesh, type BenchMeshOptions, type BenchProcess, startBenchMesh } from "./start-bench-mesh.js";
