import { randomUUID } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { ProposalState, VoteSupport } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GovernanceMesh, MINUTE, startGovernanceMesh } from "../test/start-governance-mesh.js";
import { leafHash } from "./merkle-hash.js";
import { keyIdOf, verifyTreeHead } from "./tree-head-signature.js";
import { rootOfLeaves, verifyConsistency, verifyInclusion } from "./verify-proofs.js";

let g: GovernanceMesh;
const MEMBERS = Array.from({ length: 24 }, (_, i) => `member-${String(i).padStart(2, "0")}`);

beforeAll(async () => {
  g = await startGovernanceMesh({ instances: 2 });
  for (const subject of MEMBERS) await g.operator.addMember({ subject });
});

afterAll(async () => {
  await g?.stop();
});

async function allLeaves(size: number): Promise<Uint8Array[]> {
  const { leaves } = await g.as("auditor").getLeaves({ start: 0n, end: BigInt(size) });
  expect(leaves.map((leaf) => Number(leaf.index))).toEqual(Array.from({ length: size }, (_, i) => i));
  return leaves.map((leaf) => leaf.data);
}

describe("two instances", () => {
  it("keep one vote per member and one gapless log order when every member votes twice at once through both", async () => {
    const { proposal } = await g.as(MEMBERS[0]!).createProposal({
      proposalId: randomUUID(),
      parameter: "transfers.limits.USD.monthly_max",
      newValue: 5_000_000n,
      rationale: "lower",
    });
    const { treeHead: first } = await g.as("auditor", "user", 1).getTreeHead({});
    g.clock.advance(MINUTE);
    // All ABSTAIN: the vote cannot be decided before the last member votes (FOR could still pass it).
    const attempts = MEMBERS.flatMap((member) =>
      [0, 1].map((instance) =>
        g
          .as(member, "user", instance)
          .castVote({ proposalId: proposal!.id, support: VoteSupport.ABSTAIN })
          .then(
            () => "voted",
            (error: unknown) => Code[ConnectError.from(error).code],
          ),
      ),
    );
    const results = await Promise.all(attempts);
    expect(results.filter((r) => r === "voted").length).toBe(MEMBERS.length);
    expect(results.filter((r) => r === "AlreadyExists").length).toBe(MEMBERS.length);

    const { votes } = await g.as("auditor").listVotes({ proposalId: proposal!.id, pageSize: 100 });
    expect(votes.map((v) => v.voter)).toEqual(MEMBERS);
    const { proposal: closed } = await g.as("auditor").getProposal({ id: proposal!.id });
    expect(closed!.state).toBe(ProposalState.DEFEATED);
    expect(closed!.tally).toMatchObject({ abstainVotes: 24, againstVotes: 0, forVotes: 0, eligible: 24 });

    // Every leaf once, in one order: the signed root is the root of the leaves, whichever instance signs.
    const { treeHead } = await g.as("auditor", "user", 1).getTreeHead({});
    const size = Number(treeHead!.treeSize);
    // The proposal, then 24 votes and the outcome.
    expect(Number(first!.treeSize)).toBe(1);
    expect(size).toBe(26);
    const leaves = await allLeaves(size);
    expect(Buffer.from(rootOfLeaves(leaves)).equals(treeHead!.rootHash)).toBe(true);
    const { publicKey, keyId } = await g.as("auditor").getPublicKey({});
    expect(keyId).toBe(keyIdOf(publicKey));
    expect(
      verifyTreeHead(
        publicKey,
        { treeSize: size, timestamp: Number(treeHead!.timestamp), rootHash: treeHead!.rootHash },
        treeHead!.signature,
      ),
    ).toBe(true);

    for (const v of votes) {
      const { auditPath } = await g.as("auditor").getInclusionProof({ leafIndex: v.leafIndex, treeSize: BigInt(size) });
      expect(verifyInclusion(leafHash(leaves[Number(v.leafIndex)]!), Number(v.leafIndex), size, auditPath, treeHead!.rootHash)).toBe(true);
    }
    const { proof } = await g.as("auditor", "user", 1).getConsistencyProof({ first: first!.treeSize, second: treeHead!.treeSize });
    expect(verifyConsistency(1, size, first!.rootHash, treeHead!.rootHash, proof)).toBe(true);
  });
});
