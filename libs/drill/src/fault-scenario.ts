import type { DrillMesh } from "./start-drill-mesh.js";
import type { PrivateInfra } from "./start-private-infra.js";

/** What a fault is injected into. */
export interface FaultContext {
  mesh: DrillMesh;
  infra: PrivateInfra;
}

/** One drill: a fault injected under load, after which every invariant must hold. */
export interface FaultScenario {
  /** kebab-case, selects it on the command line: `npm run drill -- sigkill-ledger`. */
  name: string;
  /** What is done, in words, for the report. */
  fault: string;
  /** Processes of each service. Default 1. */
  instances?: 1 | 2;
  /**
   * Payments started per second, an open loop that keeps starting them whatever the mesh
   * manages (up to this many in flight), to drill at and past the maximum rate. Default: none,
   * a closed loop of payment clients each making one payment at a time.
   */
  offeredPerSecond?: number;
  /** Extra environment for every service process, e.g. a lookup bucket the offered load never empties. Default none. */
  env?: Record<string, string>;
  /**
   * Injects the fault and resolves once it is over (the process ready again, the server back),
   * with figures about the fault itself (how long an exit or restart took).
   */
  inject(context: FaultContext): Promise<Record<string, string | number>>;
}
