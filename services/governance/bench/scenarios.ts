// The governance benchmark's operations, run inside the load-generator process (see
// libs/bench/src/load-generator.ts) from parameters run-benchmark.ts passes.
import { createClient, createContextKey, createContextValues, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { Scenario } from "@paymesh/bench";
import { GovernanceService, VoteSupport } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { signToken } from "@paymesh/runtime";

interface VoteParams {
  url: string;
  members: string[];
  proposals: string[];
  auth: { secret: string; issuer: string; audience: string };
}

interface ProofParams {
  url: string;
  token: string;
  treeSize: number;
}

/** Which member a call is made as: one HTTP/2 connection for everyone, each call with its voter's token. */
const callerToken = createContextKey<string>("", { description: "the voting member's token" });

export const scenarios: Record<string, Scenario> = {
  /**
   * Each operation casts a vote no operation cast before (warm-up included): proposal k mod P by
   * member k div P. All ABSTAIN, so no proposal closes before its last member votes.
   */
  async vote(params) {
    const { url, members, proposals, auth } = params as unknown as VoteParams;
    const tokens = await Promise.all(members.map((subject) => signToken({ ...auth, subject, role: "user", expiresInSeconds: 3_600 })));
    const bearer: Interceptor = (next) => (req) => {
      req.header.set("authorization", `Bearer ${req.contextValues.get(callerToken)}`);
      return next(req);
    };
    const governance = createClient(GovernanceService, createGrpcTransport({ baseUrl: url, interceptors: [bearer] }));
    let next = 0;
    return async () => {
      const k = next++;
      const member = Math.floor(k / proposals.length);
      if (member >= members.length) throw new Error("every member has voted on every proposal: seed more");
      await governance.castVote(
        { proposalId: proposals[k % proposals.length]!, support: VoteSupport.ABSTAIN },
        { contextValues: createContextValues().set(callerToken, tokens[member]!) },
      );
    };
  },

  /** An inclusion proof of a random leaf in the tree of `treeSize` leaves. */
  proof(params) {
    const { url, token, treeSize } = params as unknown as ProofParams;
    const bearer: Interceptor = (next) => (req) => {
      req.header.set("authorization", `Bearer ${token}`);
      return next(req);
    };
    const governance = createClient(GovernanceService, createGrpcTransport({ baseUrl: url, interceptors: [bearer] }));
    return async () => {
      const leafIndex = BigInt(Math.floor(Math.random() * treeSize));
      const { auditPath } = await governance.getInclusionProof({ leafIndex, treeSize: BigInt(treeSize) });
      if (auditPath.length === 0 && treeSize > 1) throw new Error("an empty audit path");
    };
  },
};
