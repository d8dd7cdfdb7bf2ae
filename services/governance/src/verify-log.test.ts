import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VoteSupport } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GovernanceMesh, MINUTE, startGovernanceMesh } from "../test/start-governance-mesh.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
let g: GovernanceMesh;
let dir: string;
let proposalId: string;

/** Runs `npm run verify-log`'s script against the test mesh; gives its exit code and output. */
function verifyLog(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      join(ROOT, "node_modules/.bin/tsx"),
      ["scripts/verify-log.ts", "--url", g.urls[0]!, "--state", join(dir, "monitor.json"), ...args],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: "development" } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number), output: stdout + stderr }),
    );
  });
}

/** Runs `change`, checks verify-log now fails naming `problem`, then runs `undo` and checks it passes again. */
async function tampered(change: string, undo: string, problem: RegExp): Promise<void> {
  await g.governanceDb.execute(sql.raw(change));
  try {
    const run = await verifyLog(`--vote=${proposalId}:bob`);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(problem);
  } finally {
    await g.governanceDb.execute(sql.raw(undo));
  }
  const again = await verifyLog(`--vote=${proposalId}:bob`);
  expect(again.code, again.output).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "verify-log-"));
  g = await startGovernanceMesh();
  for (const subject of ["alice", "bob", "carol"]) await g.operator.addMember({ subject });
  proposalId = randomUUID();
  await g.as("alice").createProposal({ proposalId, parameter: "transfers.limits.USD.daily_max", newValue: 1_500_000n, rationale: "lower" });
  g.clock.advance(MINUTE);
  await g.as("bob").castVote({ proposalId, support: VoteSupport.FOR, reason: "yes" });
  await g.as("carol").castVote({ proposalId, support: VoteSupport.ABSTAIN });
});

afterAll(async () => {
  await g?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Each case runs the script as a process two or three times: seconds each on a busy machine.
describe("npm run verify-log", { timeout: 90_000 }, () => {
  it("verifies the log, keeps the tree head, and checks the next one is consistent with it", async () => {
    const first = await verifyLog(`--vote=${proposalId}:bob`);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/root recomputed from 3 leaves matches/);
    expect(first.output).toMatch(new RegExp(`vote ${proposalId}:bob is leaf 1: inclusion proof verified`));

    await g.as("alice").castVote({ proposalId, support: VoteSupport.AGAINST });
    const second = await verifyLog();
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/consistency proof from 3 to \d+ leaves verified/);
  });

  it("fails when a stored leaf is altered", async () => {
    await tampered(
      "update log_leaves set data = data || '\\x00'::bytea where idx = 1",
      "update log_leaves set data = substring(data from 1 for length(data) - 1) where idx = 1",
      /root of the \d+ leaves served differs/,
    );
  });

  it("fails when a vote row is altered", async () => {
    await tampered(
      `update votes set support = 'against' where voter = 'bob'`,
      `update votes set support = 'for' where voter = 'bob'`,
      /vote .*:bob \(leaf 1\): support differs from the log/,
    );
  });

  it("fails when a stored subtree hash is altered", async () => {
    await tampered(
      "update log_nodes set hash = set_byte(hash, 0, get_byte(hash, 0) # 1) where level = 1 and idx = 0",
      "update log_nodes set hash = set_byte(hash, 0, get_byte(hash, 0) # 1) where level = 1 and idx = 0",
      /inclusion proofs of leaves 2, 3 do not verify/,
    );
  });

  it("fails when the log is not an extension of the tree head seen last time, or the key changed", async () => {
    const state = join(dir, "forged.json");
    const forged = { publicKey: "", treeSize: 2, rootHash: Buffer.alloc(32, 7).toString("base64"), timestamp: 0 };
    const { publicKey } = await g.as("auditor").getPublicKey({});
    writeFileSync(state, JSON.stringify({ ...forged, publicKey: Buffer.from(publicKey).toString("base64") }));
    const fork = await verifyLog("--state", state);
    expect(fork.code, fork.output).toBe(1);
    expect(fork.output).toMatch(/not an extension of the one of 2/);

    const otherKey = await verifyLog("--public-key", Buffer.alloc(32, 1).toString("base64"));
    expect(otherKey.code, otherKey.output).toBe(1);
    expect(otherKey.output).toMatch(/not the trusted key/);
  });
});
