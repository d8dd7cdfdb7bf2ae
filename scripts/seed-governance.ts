// The governance demo `npm start` seeds once governance is ready: alice, bob and carol (token
// subjects) as members, so a newcomer can propose and vote with grpcurl straight away. With
// short windows set by environment variables, a proposal on the daily transfer limit passes and
// is executed within a minute. Idempotent: adding a member again changes nothing.
// `tsx scripts/seed-governance.ts` runs it on its own against a running mesh.
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GovernanceService } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { createEnvReader, type Env, isMainModule, loadConfig, SERVICE_PORTS, signToken } from "@paymesh/runtime";

export const GOVERNANCE_DEMO = {
  members: ["alice", "bob", "carol"],
  /** A fixed id: proposing again returns the same proposal. */
  proposalId: "0d3e5f10-0000-4000-8000-0000000060e1",
  parameter: "transfers.limits.USD.daily_max",
  /** 25,000.00 USD, up from the default 20,000.00: a raise, so it needs two of the three. */
  newValue: 2_500_000n,
  /** Windows short enough for the demo to run within a minute. */
  env: "GOVERNANCE_VOTING_DELAY_MS=5000 GOVERNANCE_VOTING_PERIOD_MS=30000 GOVERNANCE_TIMELOCK_MS=5000 GOVERNANCE_GRACE_PERIOD_MS=60000",
} as const;

/** Adds the demo members through GovernanceService as an operator; gives one line per member. */
export async function runGovernanceSeed(env: Env = process.env): Promise<{ steps: string[]; commands: string }> {
  const config = loadConfig({ service: "demo_seed", defaultPort: 0, env });
  const urls = createEnvReader(env);
  const baseUrl = urls.url("GOVERNANCE_URL", `http://127.0.0.1:${SERVICE_PORTS.governance}`, ["http:", "https:"]);
  urls.finish();
  const auth: Interceptor = (next) => async (req) => {
    req.header.set(
      "authorization",
      `Bearer ${await signToken({ ...config.auth, subject: "demo-seed", role: "operator", expiresInSeconds: 300 })}`,
    );
    return next(req);
  };
  const governance = createClient(GovernanceService, createGrpcTransport({ baseUrl, interceptors: [auth], defaultTimeoutMs: 10_000 }));
  const steps: string[] = [];
  for (const subject of GOVERNANCE_DEMO.members) {
    const { member } = await governance.addMember({ subject });
    steps.push(`${subject}: governance member (added by ${member!.addedBy})`);
  }
  return { steps, commands: governanceDemoCommands() };
}

/** The commands a newcomer pastes to change the daily limit by vote (also in README.md). */
export function governanceDemoCommands(): string {
  const { proposalId, parameter, newValue } = GOVERNANCE_DEMO;
  const at = `127.0.0.1:${SERVICE_PORTS.governance} paymesh.governance.v1.GovernanceService`;
  return [
    `# Short windows (the defaults are days): start the mesh with ${GOVERNANCE_DEMO.env} npm start`,
    "ALICE=$(npm run --silent token -- alice); BOB=$(npm run --silent token -- bob)",
    "",
    "# The rule, its value now and what a change needs:",
    `grpcurl -plaintext -H "authorization: Bearer $ALICE" -d '{"name":"${parameter}"}' ${at}/GetParameter`,
    "",
    "# alice proposes 25,000.00 USD a day:",
    `grpcurl -plaintext -H "authorization: Bearer $ALICE" -d '{"proposal_id":"${proposalId}","parameter":"${parameter}","new_value":"${newValue}","rationale":"people pay rent with us"}' ${at}/CreateProposal`,
    "",
    "# After the voting delay, alice and bob vote FOR: two of three is a two-thirds supermajority, so it closes at once:",
    `grpcurl -plaintext -H "authorization: Bearer $ALICE" -d '{"proposal_id":"${proposalId}","support":"VOTE_SUPPORT_FOR"}' ${at}/CastVote`,
    `grpcurl -plaintext -H "authorization: Bearer $BOB" -d '{"proposal_id":"${proposalId}","support":"VOTE_SUPPORT_FOR"}' ${at}/CastVote`,
    "",
    "# After the timelock it is EXECUTED and the limit is the new value:",
    `grpcurl -plaintext -H "authorization: Bearer $ALICE" -d '{"id":"${proposalId}"}' ${at}/GetProposal`,
    `grpcurl -plaintext -H "authorization: Bearer $ALICE" -d '{"name":"${parameter}"}' ${at}/GetParameter`,
    "",
    "# Check the log and alice's vote in it, from the public RPCs and key alone:",
    `npm run verify-log -- --vote ${proposalId}:alice`,
  ].join("\n");
}

if (isMainModule(import.meta.url)) {
  try {
    const seed = await runGovernanceSeed();
    for (const step of seed.steps) console.log(`  ${step}`);
    console.log(`\n${seed.commands}`);
  } catch (error) {
    console.error(`governance seed failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
