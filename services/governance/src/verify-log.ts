import { fromBinary } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Client } from "@connectrpc/connect";
import {
  type GovernanceService,
  LogRecordSchema,
  type Proposal,
  type SignedTreeHead,
  type Vote,
} from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { hashesEqual, leafHash } from "./merkle-hash.js";
import { keyIdOf, verifyTreeHead } from "./tree-head-signature.js";
import { rootOfLeaves, verifyConsistency, verifyInclusion } from "./verify-proofs.js";

/** What a monitor remembers between runs, as a CT monitor does: the key and the last tree head it checked. */
export interface MonitorState {
  /** Base64 of the raw Ed25519 public key. */
  publicKey: string;
  treeSize: number;
  /** Base64 of the root hash. */
  rootHash: string;
  timestamp: number;
}

export interface VerifyLogOptions {
  client: Client<typeof GovernanceService>;
  /** The state of the last run, or undefined on the first. */
  previous: MonitorState | undefined;
  /** A key the caller trusts (base64); default the one the previous run saw, else the one the service serves. */
  publicKey?: string;
  /** Votes whose inclusion to prove, as `<proposal id>:<voter>`. */
  votes?: readonly string[];
  /**
   * Up to how many leaves to prove the inclusion of, each by its own proof. Default 10 000: every
   * leaf of a log that size. The root covers every leaf, but a stored subtree hash is only ever
   * served inside proofs, so only proving every leaf shows that each one the service keeps is right.
   */
  maxProofs?: number;
}

export interface VerifyLogReport {
  /** Every mismatch found; empty when the log checks out. */
  problems: string[];
  /** What was checked, a line each. */
  checked: string[];
  /** The state to keep for the next run (only when there are no problems). */
  state: MonitorState;
}

const PAGE = 500;
/** Inclusion proofs asked for at once. */
const PROOFS_IN_FLIGHT = 16;
const LEAVES_PER_CALL = 1_000;

/**
 * Checks the governance log from its public RPCs and its public key alone: the tree head's
 * signature; the root recomputed from every leaf; consistency with the tree head of the last
 * run; every proposal and vote the service serves against the leaf it names; the inclusion
 * proof of each vote asked for; and the inclusion proof of every leaf (up to `maxProofs`).
 */
export async function verifyLog({
  client,
  previous,
  publicKey: pinned,
  votes: wanted = [],
  maxProofs = 10_000,
}: VerifyLogOptions): Promise<VerifyLogReport> {
  const problems: string[] = [];
  const checked: string[] = [];
  const served = await client.getPublicKey({});
  const trusted = pinned ?? previous?.publicKey ?? Buffer.from(served.publicKey).toString("base64");
  const key = Buffer.from(trusted, "base64");
  if (!hashesEqual(key, served.publicKey)) problems.push(`the service serves key ${served.keyId}, not the trusted key ${keyIdOf(key)}`);

  const { treeHead } = await client.getTreeHead({});
  const head = treeHead as SignedTreeHead;
  const size = Number(head.treeSize);
  const signed = { treeSize: size, timestamp: Number(head.timestamp), rootHash: head.rootHash };
  if (verifyTreeHead(key, signed, head.signature)) checked.push(`tree head of ${size} leaves: signature valid (key ${keyIdOf(key)})`);
  else problems.push(`the tree head of ${size} leaves is not signed by key ${keyIdOf(key)}`);

  const leaves: Uint8Array[] = [];
  for (let start = 0; start < size; start += LEAVES_PER_CALL) {
    const end = Math.min(size, start + LEAVES_PER_CALL);
    const page = await client.getLeaves({ start: BigInt(start), end: BigInt(end) });
    for (const [i, leaf] of page.leaves.entries()) {
      if (Number(leaf.index) !== start + i)
        problems.push(`GetLeaves(${start}, ${end}) returned leaf ${leaf.index} at position ${start + i}`);
      leaves.push(leaf.data);
    }
  }
  if (leaves.length !== size) problems.push(`the tree head covers ${size} leaves, GetLeaves returned ${leaves.length}`);
  else if (hashesEqual(rootOfLeaves(leaves), head.rootHash)) checked.push(`root recomputed from ${size} leaves matches the tree head`);
  else problems.push(`the root of the ${size} leaves served differs from the signed root`);

  if (previous !== undefined) {
    const before = Buffer.from(previous.rootHash, "base64");
    if (previous.treeSize > size) {
      problems.push(`the log shrank: ${previous.treeSize} leaves last time, ${size} now`);
    } else if (previous.treeSize === size || previous.treeSize === 0) {
      if (previous.treeSize === size && !hashesEqual(before, head.rootHash))
        problems.push(`the tree of ${size} leaves has another root than last time`);
      else checked.push(`consistent with the tree head of ${previous.treeSize} leaves seen last time`);
    } else {
      const { proof } = await client.getConsistencyProof({ first: BigInt(previous.treeSize), second: BigInt(size) });
      if (verifyConsistency(previous.treeSize, size, before, head.rootHash, proof)) {
        checked.push(`consistency proof from ${previous.treeSize} to ${size} leaves verified`);
      } else {
        problems.push(`the tree of ${size} leaves is not an extension of the one of ${previous.treeSize} seen last time`);
      }
    }
  }

  const records = leaves.map((data) => {
    try {
      return fromBinary(LogRecordSchema, data).record;
    } catch {
      return undefined;
    }
  });
  const proposals = await listAll(
    (pageToken) => client.listProposals({ pageSize: PAGE, pageToken }),
    (r) => r.proposals,
  );
  let votesChecked = 0;
  const byKey = new Map<string, Vote>();
  for (const proposal of proposals) {
    problems.push(...proposalMismatches(proposal, records[Number(proposal.leafIndex)]));
    const votes = await listAll(
      (pageToken) => client.listVotes({ proposalId: proposal.id, pageSize: PAGE, pageToken }),
      (r) => r.votes,
    );
    for (const vote of votes) {
      byKey.set(`${vote.proposalId}:${vote.voter}`, vote);
      problems.push(...voteMismatches(vote, records[Number(vote.leafIndex)]));
      votesChecked += 1;
    }
  }
  checked.push(`${proposals.length} proposals and ${votesChecked} votes match the leaves they name`);

  for (const name of wanted) {
    const vote = byKey.get(name.toLowerCase()) ?? byKey.get(name);
    if (vote === undefined) {
      problems.push(`vote ${name} is not served`);
      continue;
    }
    const index = Number(vote.leafIndex);
    const { auditPath } = await client.getInclusionProof({ leafIndex: vote.leafIndex, treeSize: BigInt(size) });
    const leaf = leaves[index];
    if (leaf !== undefined && verifyInclusion(leafHash(leaf), index, size, auditPath, head.rootHash)) {
      checked.push(`vote ${name} is leaf ${index}: inclusion proof verified`);
    } else {
      problems.push(`vote ${name}: the inclusion proof of leaf ${index} does not verify against the signed root`);
    }
  }
  const proving = Math.min(size, maxProofs);
  const failed: number[] = [];
  let next = 0;
  const prove = async () => {
    for (let index = next++; index < proving; index = next++) {
      const { auditPath } = await client.getInclusionProof({ leafIndex: BigInt(index), treeSize: BigInt(size) });
      if (!verifyInclusion(leafHash(leaves[index] ?? new Uint8Array()), index, size, auditPath, head.rootHash)) failed.push(index);
    }
  };
  await Promise.all(Array.from({ length: PROOFS_IN_FLIGHT }, prove));
  if (failed.length > 0)
    problems.push(`the inclusion proofs of leaves ${failed.sort((a, b) => a - b).join(", ")} do not verify against the signed root`);
  else checked.push(`inclusion proofs of ${proving === size ? "every leaf" : `the first ${proving} of ${size} leaves`} verified`);
  return {
    problems,
    checked,
    state: { publicKey: trusted, treeSize: size, rootHash: Buffer.from(head.rootHash).toString("base64"), timestamp: signed.timestamp },
  };
}

type LeafRecord = ReturnType<typeof fromBinary<typeof LogRecordSchema>>["record"] | undefined;

function proposalMismatches(proposal: Proposal, record: LeafRecord): string[] {
  const where = `proposal ${proposal.id} (leaf ${proposal.leafIndex})`;
  if (record?.case !== "proposal") return [`${where}: the leaf is not its proposal record`];
  const logged = record.value;
  const fields: Array<[string, unknown, unknown]> = [
    ["id", proposal.id, logged.proposalId],
    ["proposer", proposal.proposer, logged.proposer],
    ["parameter", proposal.parameter, logged.parameter],
    ["previous_value", proposal.previousValue, logged.previousValue],
    ["new_value", proposal.newValue, logged.newValue],
    ["rationale", proposal.rationale, logged.rationale],
    ["eligible", proposal.tally?.eligible, logged.eligibleVoters.length],
  ];
  return fields.filter(([, served, inLog]) => served !== inLog).map(([field]) => `${where}: ${field} differs from the log`);
}

function voteMismatches(vote: Vote, record: LeafRecord): string[] {
  const where = `vote ${vote.proposalId}:${vote.voter} (leaf ${vote.leafIndex})`;
  if (record?.case !== "vote") return [`${where}: the leaf is not its vote record`];
  const logged = record.value;
  const fields: Array<[string, unknown, unknown]> = [
    ["proposal_id", vote.proposalId, logged.proposalId],
    ["voter", vote.voter, logged.voter],
    ["support", vote.support, logged.support],
    ["reason", vote.reason, logged.reason],
    ["cast_time", vote.castTime && timestampDate(vote.castTime).getTime(), logged.castTime && timestampDate(logged.castTime).getTime()],
  ];
  return fields.filter(([, served, inLog]) => served !== inLog).map(([field]) => `${where}: ${field} differs from the log`);
}

async function listAll<R extends { nextPageToken: string }, T>(
  call: (pageToken: string) => Promise<R>,
  items: (r: R) => T[],
): Promise<T[]> {
  const all: T[] = [];
  let token = "";
  do {
    const page = await call(token);
    all.push(...items(page));
    token = page.nextPageToken;
  } while (token !== "");
  return all;
}
