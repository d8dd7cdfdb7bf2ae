// The ceiling's operation for the load-generator process: one Echo call to the ceiling process
// started by startBenchMesh, with params `{ url, token }`.
import { EchoService } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { createBenchClient } from "./create-bench-client.js";
import type { Scenario } from "./scenario.js";

/** This module's path from the repository root, for a LoadSpec's `module`. */
export const CEILING_SCENARIOS = "libs/bench/src/ceiling-scenarios.ts";

export const scenarios: Record<string, Scenario> = {
  echo(params) {
    const { url, token } = params as { url: string; token: string };
    const client = createBenchClient(EchoService, { baseUrl: url, token });
    return () => client.echo({ message: "x" });
  },
};
