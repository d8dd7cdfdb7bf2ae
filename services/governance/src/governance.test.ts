import { randomUUID } from "node:crypto";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { streamNameFor } from "@paymesh/events";
import { type Proposal, ProposalState, VoteSupport } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { connectErrorOf } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type GovernanceMesh, MINUTE, startGovernanceMesh } from "../test/start-governance-mesh.js";
import { rebuildTallies } from "./rebuild-tallies.js";
import { proposalTallies } from "./schema.js";

let g: GovernanceMesh;

/** SetLimitPolicy calls transfers answered, and how many more it answers UNAVAILABLE (set by a test). */
const setLimitCalls = { seen: 0, failNext: 0 };
const flakyTransfers: Interceptor = (next) => async (req) => {
  if (req.method.name === "SetLimitPolicy") {
    setLimitCalls.seen += 1;
    if (setLimitCalls.failNext > 0) {
      setLimitCalls.failNext -= 1;
      throw new ConnectError("transfers is restarting", Code.Unavailable);
    }
  }
  return next(req);
};

beforeAll(async () => {
  g = await startGovernanceMesh({ transfersInterceptors: [flakyTransfers] });
  for (const subject of ["alice", "bob", "carol"]) await g.operator.addMember({ subject });
});

afterAll(async () => {
  await g?.stop();
});

const limits = async (currency: string) => (await g.transfers.getLimitPolicy({ currency })).policy!;

async function propose(proposer: string, parameter: string, newValue: bigint): Promise<Proposal> {
  const { proposal } = await g.as(proposer).createProposal({ proposalId: randomUUID(), parameter, newValue, rationale: "test" });
  return proposal!;
}

const vote = (voter: string, proposal: Proposal, support: VoteSupport) => g.as(voter).castVote({ proposalId: proposal.id, support });

async function stateOf(proposal: Proposal): Promise<Proposal> {
  return (await g.as("alice").getProposal({ id: proposal.id })).proposal!;
}

/** Waits until the worker has moved the proposal to `state`. */
async function eventually(proposal: Proposal, state: ProposalState): Promise<Proposal> {
  return vi.waitFor(
    async () => {
      const now = await stateOf(proposal);
      expect(ProposalState[now.state]).toBe(ProposalState[state]);
      return now;
    },
    { timeout: 10_000, interval: 50 },
  );
}

const logSize = async () => Number((await g.as("alice").getTreeHead({})).treeHead!.treeSize);

describe("parameters", () => {
  it("lists every governable rule, page by page, with its value read live from its owner and the rule a change must meet", async () => {
    const names: string[] = [];
    let pageToken = "";
    do {
      const page = await g.as("alice").listParameters({ pageSize: 5, pageToken });
      names.push(...page.parameters.map((p) => p.name));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(
      expect.arrayContaining([
        "handles.lookup.capacity",
        "handles.lookup.hit_cost",
        "handles.lookup.miss_cost",
        "handles.lookup.refill_per_minute",
        ...["USD", "EUR", "GBP"].flatMap((c) =>
          ["per_transaction_max", "daily_max", "monthly_max"].map((f) => `transfers.limits.${c}.${f}`),
        ),
      ]),
    );
    expect(names).toHaveLength(13);
    const { parameter } = await g.as("alice").getParameter({ name: "transfers.limits.USD.daily_max" });
    expect(parameter).toMatchObject({
      currentValue: (await limits("USD")).dailyMax,
      ownerService: "transfers",
      ownerRpc: "paymesh.transfers.v1.TransferService/SetLimitPolicy",
      minValue: 100n,
      raiseRule: { quorumBps: 5_000, thresholdBps: 6_666 },
      lowerRule: { quorumBps: 5_000, thresholdBps: 5_000 },
    });
    expect((await connectErrorOf(g.as("alice").getParameter({ name: "transfers.limits.XXX.daily_max" }))).code).toBe(Code.NotFound);
  });
});

describe("a proposal's life", () => {
  it("passes with a supermajority, closes early, waits out the timelock, executes, and the transfers limit changes", async () => {
    const before = await limits("USD");
    const proposal = await propose("alice", "transfers.limits.USD.daily_max", before.dailyMax + 100_000n);
    expect(proposal.state).toBe(ProposalState.PENDING);
    expect(proposal.tally!.eligible).toBe(3);
    expect(proposal.rule).toMatchObject({ quorumBps: 5_000, thresholdBps: 6_666 });
    expect(proposal.previousValue).toBe(before.dailyMax);

    g.clock.advance(MINUTE);
    await vote("alice", proposal, VoteSupport.FOR);
    const { proposal: decided } = await vote("bob", proposal, VoteSupport.FOR);
    // Two of three FOR: even carol AGAINST leaves 2/3 > 66.66%, so the vote is over now.
    expect(decided!.state).toBe(ProposalState.SUCCEEDED);
    expect(decided!.closeTime).toBeDefined();
    const carol = await connectErrorOf(vote("carol", proposal, VoteSupport.AGAINST));
    expect(carol.code).toBe(Code.FailedPrecondition);

    const queued = await eventually(proposal, ProposalState.QUEUED);
    expect(Number(queued.eta!.seconds) * 1000).toBeGreaterThan(g.clock.now().getTime() + 59 * MINUTE);
    expect((await limits("USD")).dailyMax).toBe(before.dailyMax);

    g.clock.advance(60 * MINUTE);
    const executed = await eventually(proposal, ProposalState.EXECUTED);
    expect(executed.endTime).toBeDefined();
    expect(await limits("USD")).toMatchObject({
      dailyMax: before.dailyMax + 100_000n,
      perTransactionMax: before.perTransactionMax,
      monthlyMax: before.monthlyMax,
    });
    await vi.waitFor(async () => {
      const { tally, state } = await g.as("carol").getTally({ proposalId: proposal.id });
      expect(state).toBe(ProposalState.EXECUTED);
      expect(tally).toMatchObject({ forVotes: 2, againstVotes: 0, abstainVotes: 0, eligible: 3 });
    });
  });

  it("retries an execution the owner could not take, on later passes, until it is done", async () => {
    const before = await limits("USD");
    const proposal = await propose("carol", "transfers.limits.USD.per_transaction_max", before.perTransactionMax - 10n);
    g.clock.advance(MINUTE);
    for (const voter of ["alice", "bob"]) await vote(voter, proposal, VoteSupport.FOR);
    await eventually(proposal, ProposalState.QUEUED);
    // Each pass's call tries three times (the service client retries UNAVAILABLE twice): two whole passes fail.
    setLimitCalls.seen = 0;
    setLimitCalls.failNext = 6;
    g.clock.advance(60 * MINUTE);
    const executed = await eventually(proposal, ProposalState.EXECUTED);
    expect(setLimitCalls).toEqual({ seen: 7, failNext: 0 });
    expect(executed.executionError).toBe("");
    expect((await limits("USD")).perTransactionMax).toBe(before.perTransactionMax - 10n);
  });

  it("is DEFEATED without quorum when voting ends, and changes nothing", async () => {
    const before = await limits("EUR");
    const proposal = await propose("bob", "transfers.limits.EUR.monthly_max", before.monthlyMax - 1_000n);
    g.clock.advance(MINUTE);
    await vote("bob", proposal, VoteSupport.FOR);
    expect((await stateOf(proposal)).state).toBe(ProposalState.ACTIVE);
    g.clock.advance(10 * MINUTE);
    const defeated = await eventually(proposal, ProposalState.DEFEATED);
    expect(defeated.tally).toMatchObject({ forVotes: 1, eligible: 3 });
    g.clock.advance(2 * 60 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await stateOf(proposal)).state).toBe(ProposalState.DEFEATED);
    expect(await limits("EUR")).toEqual(before);
  });

  it("closes early as DEFEATED once enough vote AGAINST", async () => {
    const before = await limits("EUR");
    const proposal = await propose("carol", "transfers.limits.EUR.per_transaction_max", before.perTransactionMax - 1n);
    expect(proposal.rule).toMatchObject({ thresholdBps: 5_000 });
    g.clock.advance(MINUTE);
    await vote("alice", proposal, VoteSupport.AGAINST);
    const { proposal: decided } = await vote("bob", proposal, VoteSupport.AGAINST);
    expect(decided!.state).toBe(ProposalState.DEFEATED);
    expect(decided!.closeTime!.seconds).toBeLessThan(decided!.voteEndTime!.seconds);
    expect(await limits("EUR")).toEqual(before);
  });

  it("is recorded FAILED when the owner refuses the value, and nothing changes", async () => {
    const before = await limits("GBP");
    // Within governance's bounds, but above the daily limit: transfers refuses it.
    const proposal = await propose("alice", "transfers.limits.GBP.per_transaction_max", before.dailyMax + 1n);
    g.clock.advance(MINUTE);
    for (const voter of ["alice", "bob"]) await vote(voter, proposal, VoteSupport.FOR);
    await eventually(proposal, ProposalState.QUEUED);
    g.clock.advance(60 * MINUTE);
    const failed = await eventually(proposal, ProposalState.FAILED);
    expect(failed.executionError).toMatch(/transfers refused the new value \(InvalidArgument\)/);
    expect(await limits("GBP")).toEqual(before);
  });

  it("expires when the grace period ends before it could execute", async () => {
    const before = await limits("GBP");
    const proposal = await propose("bob", "transfers.limits.GBP.monthly_max", before.monthlyMax + 5n);
    g.clock.advance(MINUTE);
    for (const voter of ["alice", "bob"]) await vote(voter, proposal, VoteSupport.FOR);
    await eventually(proposal, ProposalState.QUEUED);
    g.clock.advance(60 * MINUTE + 24 * 60 * MINUTE);
    const expired = await eventually(proposal, ProposalState.EXPIRED);
    expect(expired.executionError).toMatch(/grace period/);
    expect(await limits("GBP")).toEqual(before);
  });
});

describe("metrics", () => {
  it("reports proposals by state on /metrics, pending until the vote starts", async () => {
    const proposals = async (state: string) => {
      const text = await (await fetch(`${g.urls[0]}/metrics`)).text();
      return Number(new RegExp(`^governance_proposals\\{[^}]*state="${state}"[^}]*\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
    };
    const before = { pending: await proposals("pending"), canceled: await proposals("canceled") };
    const proposal = await propose("alice", "transfers.limits.GBP.monthly_max", 7_654_321n);
    expect((await proposals("pending")) - before.pending).toBe(1);
    await g.as("alice").cancelProposal({ id: proposal.id });
    expect((await proposals("pending")) - before.pending).toBe(0);
    expect((await proposals("canceled")) - before.canceled).toBe(1);
  });
});

describe("canceling", () => {
  it("lets the proposer cancel before voting starts, not after", async () => {
    const early = await propose("alice", "transfers.limits.GBP.daily_max", 123_456n);
    const { proposal: canceled } = await g.as("alice").cancelProposal({ id: early.id });
    expect(canceled).toMatchObject({ state: ProposalState.CANCELED, canceledBy: "alice" });
    expect((await connectErrorOf(vote("bob", early, VoteSupport.FOR))).code).toBe(Code.FailedPrecondition);

    const late = await propose("alice", "transfers.limits.GBP.daily_max", 123_457n);
    expect((await connectErrorOf(g.as("bob").cancelProposal({ id: late.id }))).code).toBe(Code.PermissionDenied);
    g.clock.advance(MINUTE);
    const refused = await connectErrorOf(g.as("alice").cancelProposal({ id: late.id }));
    expect(refused.code).toBe(Code.FailedPrecondition);
    expect((await stateOf(late)).state).toBe(ProposalState.ACTIVE);

    // The guardian may, any time before execution.
    await vote("alice", late, VoteSupport.FOR);
    await vote("bob", late, VoteSupport.FOR);
    await eventually(late, ProposalState.QUEUED);
    const { proposal: guarded } = await g.operator.cancelProposal({ id: late.id });
    expect(guarded).toMatchObject({ state: ProposalState.CANCELED, canceledBy: "ops" });
    g.clock.advance(60 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await stateOf(late)).state).toBe(ProposalState.CANCELED);
    expect((await limits("GBP")).dailyMax).not.toBe(123_457n);
  });
});

describe("bad input changes nothing", () => {
  it("answers each with its code and leaves the log and the tally as they were", async () => {
    const proposal = await propose("alice", "transfers.limits.USD.monthly_max", (await limits("USD")).monthlyMax + 7n);
    const size = await logSize();

    const early = await connectErrorOf(vote("bob", proposal, VoteSupport.FOR));
    expect(early.code).toBe(Code.FailedPrecondition);
    expect(early.rawMessage).toMatch(/opens at/);

    g.clock.advance(MINUTE);
    const outsider = await connectErrorOf(vote("mallory", proposal, VoteSupport.FOR));
    expect(outsider.code).toBe(Code.PermissionDenied);
    // A member added after the proposal was created is not in its frozen eligible set.
    await g.operator.addMember({ subject: "dave" });
    expect((await connectErrorOf(vote("dave", proposal, VoteSupport.FOR))).code).toBe(Code.PermissionDenied);

    await vote("bob", proposal, VoteSupport.ABSTAIN);
    const sizeAfterVote = await logSize();
    expect(sizeAfterVote).toBe(size + 1);
    const again = await connectErrorOf(vote("bob", proposal, VoteSupport.FOR));
    expect(again.code).toBe(Code.AlreadyExists);

    const unknown = await connectErrorOf(
      g
        .as("alice")
        .createProposal({ proposalId: randomUUID(), parameter: "transfers.limits.USD.yearly_max", newValue: 5n, rationale: "x" }),
    );
    expect(unknown.code).toBe(Code.InvalidArgument);
    expect(unknown.rawMessage).toMatch(/unknown parameter .*transfers\.limits\.USD\.daily_max/);
    const outOfBounds = await connectErrorOf(
      g.as("alice").createProposal({ proposalId: randomUUID(), parameter: "handles.lookup.hit_cost", newValue: 0n, rationale: "x" }),
    );
    expect(outOfBounds.code).toBe(Code.InvalidArgument);
    expect(outOfBounds.rawMessage).toMatch(/from 1 to 10000 tokens/);
    const notMember = await connectErrorOf(
      g
        .as("mallory")
        .createProposal({ proposalId: randomUUID(), parameter: "transfers.limits.EUR.daily_max", newValue: 500n, rationale: "x" }),
    );
    expect(notMember.code).toBe(Code.PermissionDenied);
    const second = await connectErrorOf(
      g
        .as("carol")
        .createProposal({ proposalId: randomUUID(), parameter: "transfers.limits.USD.monthly_max", newValue: 500n, rationale: "x" }),
    );
    expect(second.code).toBe(Code.FailedPrecondition);
    const notOperator = await connectErrorOf(g.as("alice").addMember({ subject: "eve" }));
    expect(notOperator.code).toBe(Code.PermissionDenied);

    g.clock.advance(10 * MINUTE);
    const late = await connectErrorOf(vote("carol", proposal, VoteSupport.FOR));
    expect(late.code).toBe(Code.FailedPrecondition);

    const beyond = await connectErrorOf(
      g.as("alice").getInclusionProof({ leafIndex: BigInt(sizeAfterVote), treeSize: BigInt(sizeAfterVote) }),
    );
    expect(beyond.code).toBe(Code.InvalidArgument);
    const bigTree = await connectErrorOf(g.as("alice").getInclusionProof({ leafIndex: 0n, treeSize: 10_000n }));
    expect(bigTree.code).toBe(Code.InvalidArgument);

    const closed = await eventually(proposal, ProposalState.DEFEATED);
    expect(closed.tally).toMatchObject({ forVotes: 0, againstVotes: 0, abstainVotes: 1 });
    // One vote and the outcome: nothing the refused calls tried.
    expect(await logSize()).toBe(size + 2);
  });

  it("answers a repeated CreateProposal with the same proposal, and a different one under its id with ALREADY_EXISTS", async () => {
    const id = randomUUID();
    const request = { proposalId: id, parameter: "transfers.limits.USD.per_transaction_max", newValue: 150_000n, rationale: "smaller" };
    const first = await g.as("alice").createProposal(request);
    const again = await g.as("alice").createProposal(request);
    expect(again.proposal!.leafIndex).toBe(first.proposal!.leafIndex);
    const other = await connectErrorOf(g.as("alice").createProposal({ ...request, newValue: 151n }));
    expect(other.code).toBe(Code.AlreadyExists);
    expect(other.rawMessage).toMatch(/new_value/);
  });
});

describe("the handles lookup bucket", () => {
  it("changes by vote through handles' SetLookupPolicy, and a value handles refuses is recorded FAILED", async () => {
    const handles = g.mesh.client(HandleService, { url: g.handlesUrl }, { subject: "ops", role: "operator" });
    const before = (await handles.getLookupPolicy({})).policy!;
    const { parameter } = await g.as("alice").getParameter({ name: "handles.lookup.miss_cost" });
    expect(parameter).toMatchObject({ currentValue: before.missCost, ownerService: "handles" });

    const raise = await propose("alice", "handles.lookup.miss_cost", before.missCost + 5n);
    // Dearer misses tighten the safeguard: a simple majority.
    expect(raise.rule).toMatchObject({ thresholdBps: 5_000 });
    g.clock.advance(MINUTE);
    // dave joined in an earlier test: four eligible, three FOR decide it.
    for (const voter of ["alice", "bob", "carol"]) await vote(voter, raise, VoteSupport.FOR);
    await eventually(raise, ProposalState.QUEUED);
    g.clock.advance(60 * MINUTE);
    await eventually(raise, ProposalState.EXECUTED);
    expect((await handles.getLookupPolicy({})).policy).toMatchObject({ ...before, missCost: before.missCost + 5n });

    // A hit dearer than a miss: within governance's bounds, refused by handles.
    const refused = await propose("bob", "handles.lookup.hit_cost", before.missCost + 6n);
    g.clock.advance(MINUTE);
    for (const voter of ["alice", "bob", "carol"]) await vote(voter, refused, VoteSupport.FOR);
    await eventually(refused, ProposalState.QUEUED);
    g.clock.advance(60 * MINUTE);
    const failed = await eventually(refused, ProposalState.FAILED);
    expect(failed.executionError).toMatch(/handles refused the new value \(InvalidArgument\)/);
    expect((await handles.getLookupPolicy({})).policy!.hitCost).toBe(before.hitCost);
  });
});

describe("the tally read table", () => {
  it("is rebuilt by replaying the governance stream to what the projection kept", async () => {
    const { governanceDb: db } = g;
    const snapshot = async () =>
      (await db.select().from(proposalTallies).orderBy(proposalTallies.proposalId)).map(({ updatedAt: _, ...row }) => row);
    const proposals = await g.as("alice").listProposals({ pageSize: 500 });
    await vi.waitFor(async () => expect((await snapshot()).length).toBe(proposals.proposals.length), { timeout: 10_000 });
    const before = await snapshot();
    await db.delete(proposalTallies);
    const replayed = await rebuildTallies({
      db,
      js: g.mesh.nats.js,
      jsm: g.mesh.nats.jsm,
      stream: streamNameFor(g.mesh.prefix, "governance"),
    });
    expect(replayed).toBeGreaterThan(proposals.proposals.length);
    expect(await snapshot()).toEqual(before);
    for (const proposal of proposals.proposals) {
      const row = before.find((r) => r.proposalId === proposal.id)!;
      expect(row).toMatchObject({
        forVotes: proposal.tally!.forVotes,
        againstVotes: proposal.tally!.againstVotes,
        abstainVotes: proposal.tally!.abstainVotes,
      });
    }
  });
});
