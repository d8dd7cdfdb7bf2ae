import type { Parameter } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useConsole } from "../console-context.js";
import { type RpcState, useRpc } from "../use-rpc.js";

/** Every governable rule by name, with the value in force as its owner said it just now. */
export function useParameters(refreshKey: unknown): RpcState<Map<string, Parameter>> {
  const { clients } = useConsole();
  return useRpc(
    async (signal) => {
      const parameters = new Map<string, Parameter>();
      let pageToken = "";
      do {
        const page = await clients.governance.listParameters({ pageSize: 500, pageToken }, { signal });
        for (const parameter of page.parameters) parameters.set(parameter.name, parameter);
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      return parameters;
    },
    [clients, refreshKey],
  );
}
