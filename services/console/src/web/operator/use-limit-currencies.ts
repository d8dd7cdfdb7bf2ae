import { useConsole } from "../console-context.js";
import { type RpcState, useRpc } from "../use-rpc.js";

const LIMIT_PARAMETER = /^transfers\.limits\.([A-Z]{3})\./;

/**
 * The currencies whose transfer limits are governable, read from governance's parameter names
 * (`transfers.limits.USD.daily_max`): transfers has no RPC that lists the currencies it limits.
 */
export function useLimitCurrencies(): RpcState<string[]> {
  const { clients } = useConsole();
  return useRpc(
    async (signal) => {
      const currencies = new Set<string>();
      let pageToken = "";
      do {
        const page = await clients.governance.listParameters({ pageSize: 100, pageToken }, { signal });
        for (const parameter of page.parameters) {
          const currency = LIMIT_PARAMETER.exec(parameter.name)?.[1];
          if (currency !== undefined) currencies.add(currency);
        }
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      return [...currencies];
    },
    [clients],
  );
}
