import { ProposalState, VoteSupport } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { TEST_AUTH } from "@paymesh/testkit";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { type GovernanceMesh, MINUTE, startGovernanceMesh } from "../services/governance/test/start-governance-mesh.js";
import { GOVERNANCE_DEMO, runGovernanceSeed } from "./seed-governance.js";

let g: GovernanceMesh;
let env: Record<string, string>;

beforeAll(async () => {
  g = await startGovernanceMesh();
  env = { GOVERNANCE_URL: g.urls[0]!, AUTH_JWT_SECRET: TEST_AUTH.secret, AUTH_ISSUER: TEST_AUTH.issuer, AUTH_AUDIENCE: TEST_AUTH.audience };
});

afterAll(async () => {
  await g?.stop();
});

it("seeds alice, bob and carol as members, again without change, and the printed demo changes the daily limit", async () => {
  const first = await runGovernanceSeed(env);
  expect(first.steps).toHaveLength(3);
  await runGovernanceSeed(env);
  const { members } = await g.as("alice").listMembers({});
  expect(members.map((m) => m.subject)).toEqual(["alice", "bob", "carol"]);

  // The demo, as its commands do it.
  expect(first.commands).toContain(`"proposal_id":"${GOVERNANCE_DEMO.proposalId}"`);
  expect(first.commands).toContain("127.0.0.1:7105 paymesh.governance.v1.GovernanceService/CastVote");
  const { proposalId, parameter, newValue } = GOVERNANCE_DEMO;
  await g.as("alice").createProposal({ proposalId, parameter, newValue, rationale: "people pay rent with us" });
  g.clock.advance(MINUTE);
  await g.as("alice").castVote({ proposalId, support: VoteSupport.FOR });
  const { proposal } = await g.as("bob").castVote({ proposalId, support: VoteSupport.FOR });
  expect(proposal!.state).toBe(ProposalState.SUCCEEDED);
  await vi.waitFor(async () => expect((await g.as("alice").getProposal({ id: proposalId })).proposal!.state).toBe(ProposalState.QUEUED));
  g.clock.advance(60 * MINUTE);
  await vi.waitFor(async () => expect((await g.as("alice").getProposal({ id: proposalId })).proposal!.state).toBe(ProposalState.EXECUTED));
  expect((await g.as("alice").getParameter({ name: parameter })).parameter!.currentValue).toBe(newValue);
});
