// The handles benchmark's operations, run inside the load-generator process (see
// libs/bench/src/load-generator.ts) from parameters run-benchmark.ts passes.
import { createBenchClient, type Scenario } from "@paymesh/bench";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";

interface Params {
  url: string;
  tokens: string[];
  handles?: string[];
  protocol?: "grpc" | "connect";
}

/** A handle for the i-th call: a fixed stride through the list, so calls spread over every handle. */
const pick = (handles: string[], i: number) => handles[(i * 7919) % handles.length]!;

export const scenarios: Record<string, Scenario> = {
  resolve(params) {
    const { url, tokens, handles, protocol } = params as unknown as Params;
    const clients = tokens.map((token) => createBenchClient(HandleService, { baseUrl: url, token, protocol }));
    return (i) => clients[i % clients.length]!.resolveHandle({ handle: pick(handles!, i) });
  },
};
