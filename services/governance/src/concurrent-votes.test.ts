import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { streamNameFor } from "@paymesh/events";
import {
  ExecutionFailedSchema,
  ProposalCanceledSchema,
  ProposalClosedSchema,
  ProposalCreatedSchema,
  ProposalExecutedSchema,
  ProposalQueuedSchema,
} from "@paymesh/gen/paymesh/governance/v1/events_pb";
import { LogRecordSchema, ProposalState, VoteSupport } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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

describe("two workers", () => {
  it("close, queue and execute a proposal once between them", async () => {
    const before = (await g.transfers.getLimitPolicy({ currency: "EUR" })).policy!;
    const { proposal } = await g.as(MEMBERS[1]!).createProposal({
      proposalId: randomUUID(),
      parameter: "transfers.limits.EUR.daily_max",
      newValue: before.dailyMax - 100n,
      rationale: "lower",
    });
    const id = proposal!.id;
    g.clock.advance(MINUTE);
    // Half of 24 FOR and no more: undecided until the end (12 AGAINST could still tie it), passed then.
    for (const member of MEMBERS.slice(0, 12)) await g.as(member).castVote({ proposalId: id, support: VoteSupport.FOR });
    expect((await g.as("auditor").getProposal({ id })).proposal!.state).toBe(ProposalState.ACTIVE);
    g.clock.advance(10 * MINUTE);
    await vi.waitFor(async () => expect((await g.as("auditor").getProposal({ id })).proposal!.state).toBe(ProposalState.QUEUED), {
      timeout: 10_000,
    });
    g.clock.advance(60 * MINUTE);
    await vi.waitFor(async () => expect((await g.as("auditor").getProposal({ id })).proposal!.state).toBe(ProposalState.EXECUTED), {
      timeout: 10_000,
    });
    expect((await g.transfers.getLimitPolicy({ currency: "EUR" })).policy!.dailyMax).toBe(before.dailyMax - 100n);
    // A few more passes of both workers find nothing left to do.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const stream = streamNameFor(g.mesh.prefix, "governance");
    const { state } = await g.mesh.nats.jsm.streams.info(stream);
    const steps: string[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const message = await g.mesh.nats.jsm.streams.getMessage(stream, { seq });
      const event = message.subject.split(".").at(-1)!;
      const schema = LIFECYCLE[event as keyof typeof LIFECYCLE];
      if (schema !== undefined && (fromBinary(schema, message.data) as { proposal?: { id: string } }).proposal?.id === id)
        steps.push(event);
    }
    expect(steps).toEqual(["proposal_created", "proposal_closed", "proposal_queued", "proposal_executed"]);

    const { treeHead } = await g.as("auditor").getTreeHead({});
    const { leaves } = await g.as("auditor").getLeaves({ start: 0n, end: treeHead!.treeSize });
    const logged = leaves
      .map((leaf) => fromBinary(LogRecordSchema, leaf.data).record)
      .filter((record) => record.value?.proposalId === id)
      .map((record) => record.case);
    expect(logged).toEqual(["proposal", ...Array(12).fill("vote"), "outcome", "execution"]);
  });
});

const LIFECYCLE = {
  proposal_created: ProposalCreatedSchema,
  proposal_closed: ProposalClosedSchema,
  proposal_queued: ProposalQueuedSchema,
  proposal_executed: ProposalExecutedSchema,
  execution_failed: ExecutionFailedSchema,
  proposal_canceled: ProposalCanceledSchema,
};
