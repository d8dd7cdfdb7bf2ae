import type { Account } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { useConsole } from "./console-context.js";
import { useLiveNotifications } from "./live-notifications.js";
import { type RpcState, useRpc } from "./use-rpc.js";

/** The signed-in person's accounts with their balances, fresh after every notification. */
export function useMyAccounts(): RpcState<Account[]> {
  const { clients } = useConsole();
  const { version } = useLiveNotifications();
  return useRpc(
    async (signal) => {
      const accounts: Account[] = [];
      let pageToken = "";
      do {
        const page = await clients.ledger.listAccounts({ pageSize: 100, pageToken }, { signal });
        accounts.push(...page.accounts);
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      return accounts;
    },
    [clients, version],
  );
}
