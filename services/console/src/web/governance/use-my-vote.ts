import type { Vote } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useConsole } from "../console-context.js";
import { type RpcState, useRpc } from "../use-rpc.js";

/** The signed-in person's vote on a proposal, with the log leaf it names; undefined if they have not voted. */
export function useMyVote(proposalId: string): RpcState<Vote | undefined> {
  const { clients, session } = useConsole();
  return useRpc(
    async (signal) => {
      let pageToken = "";
      do {
        const page = await clients.governance.listVotes({ proposalId, pageSize: 500, pageToken }, { signal });
        const mine = page.votes.find((vote) => vote.voter === session.subject);
        if (mine !== undefined) return mine;
        pageToken = page.nextPageToken;
      } while (pageToken !== "");
      return undefined;
    },
    [clients, proposalId, session.subject],
  );
}
