import { fromBinary } from "@bufbuild/protobuf";
import type { Client } from "@connectrpc/connect";
import { type GovernanceService, LogRecordSchema, type Vote } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { keyIdOf } from "./key-id-of.js";
import { leafHash } from "./merkle-hash.js";
import { rootFromInclusionProof } from "./root-from-inclusion-proof.js";
import { SUPPORT_NAMES } from "./support-names.js";
import { toHex } from "./to-hex.js";
import { verifyTreeHead } from "./verify-tree-head.js";

/** The log's public RPCs the check calls; every answer is checked, none is taken on trust. */
export type GovernanceLog = Pick<Client<typeof GovernanceService>, "getPublicKey" | "getTreeHead" | "getLeaves" | "getInclusionProof">;

interface VerifiedVote {
  verified: true;
  /** The vote as the log records it. */
  vote: { proposalId: string; voter: string; support: Vote["support"] };
  leafIndex: bigint;
  treeSize: bigint;
  /** How many sibling hashes lead from the leaf to the root. */
  pathLength: number;
  rootHash: Uint8Array;
  keyId: string;
  /** When the log signed the tree head. */
  signedAt: Date;
}

interface UnverifiedVote {
  verified: false;
  /** The check that failed, as a clause a sentence can end with. */
  failedCheck: string;
}

export type VoteVerification = VerifiedVote | UnverifiedVote;

export interface VerifyMyVoteOptions {
  /** The vote as the service lists it (ListVotes or CastVote): it says which leaf to check, not what to believe. */
  vote: Vote;
  /** The person checking: the leaf must be their vote. */
  voter: string;
  proposalId: string;
  /** The key id this browser trusted before, if any: a log that changes its key is not trusted silently. */
  pinnedKeyId?: string | undefined;
  signal?: AbortSignal;
}

/**
 * Checks, from the log's public answers and the browser's own WebCrypto, that the person's vote
 * is in the governance log: the tree head is signed by the log's key; the leaf the vote names
 * is this person's vote on this proposal, as the service lists it; and the leaf's audit path
 * leads to the signed root (RFC 9162 §2.1.3.2). Stops at the first check that fails and says
 * which. An RPC that fails throws: that is "could not check", not "checked and wrong".
 */
export async function verifyMyVote(log: GovernanceLog, options: VerifyMyVoteOptions): Promise<VoteVerification> {
  const { vote, voter, proposalId, pinnedKeyId, signal } = options;
  const [published, { treeHead }] = await Promise.all([log.getPublicKey({}, { signal }), log.getTreeHead({}, { signal })]);
  const keyId = await keyIdOf(published.publicKey);
  if (keyId !== published.keyId) {
    return failed(`the log names its key ${short(published.keyId)}, but the key it serves hashes to ${short(keyId)}`);
  }
  if (pinnedKeyId !== undefined && pinnedKeyId !== keyId) {
    return failed(
      `the log now signs with key ${short(keyId)}, not ${short(pinnedKeyId)}, the key this browser trusted before (if the operators announced a new key, clear this site's data to trust it)`,
    );
  }
  if (treeHead === undefined) return failed("the log sent no tree head");
  if (treeHead.keyId !== keyId) return failed(`the tree head names key ${short(treeHead.keyId)}, not the log's key ${short(keyId)}`);
  let signed: boolean;
  try {
    signed = await verifyTreeHead(published.publicKey, treeHead);
  } catch (error) {
    return failed(
      error instanceof DOMException && error.name === "NotSupportedError"
        ? "this browser cannot check Ed25519 signatures (its WebCrypto has no Ed25519); try a current Chrome, Edge, Firefox or Safari"
        : `the log's key ${short(keyId)} is not a usable Ed25519 public key`,
    );
  }
  if (!signed)
    return failed(`the signature on the tree head of ${treeHead.treeSize} leaves does not verify with the log's key ${short(keyId)}`);

  const index = vote.leafIndex;
  const size = treeHead.treeSize;
  if (index >= size) return failed(`the signed tree has ${size} leaves, so it cannot hold leaf ${index}, where your vote is said to be`);
  const [{ leaves }, proof] = await Promise.all([
    log.getLeaves({ start: index, end: index + 1n }, { signal }),
    log.getInclusionProof({ leafIndex: index, treeSize: size }, { signal }),
  ]);
  const leaf = leaves[0];
  if (leaf === undefined || leaf.index !== index) return failed(`the log did not send leaf ${index}`);
  const mismatch = recordMismatch(leaf.data, { proposalId, voter, vote });
  if (mismatch !== undefined) return failed(`leaf ${index} ${mismatch}`);

  if (proof.leafIndex !== index || proof.treeSize !== size) {
    return failed(`the inclusion proof is for leaf ${proof.leafIndex} of ${proof.treeSize}, not leaf ${index} of ${size}`);
  }
  const root = await rootFromInclusionProof(await leafHash(leaf.data), index, size, proof.auditPath);
  if (root === undefined) {
    return failed(
      `the inclusion proof has ${proof.auditPath.length} hashes, which is not a path from leaf ${index} in a tree of ${size} leaves`,
    );
  }
  if (toHex(root) !== toHex(treeHead.rootHash)) {
    return failed(
      `the path of ${proof.auditPath.length} hashes from leaf ${index} leads to root ${short(toHex(root))}, not to the signed root ${short(toHex(treeHead.rootHash))}`,
    );
  }
  return {
    verified: true,
    vote: { proposalId, voter, support: vote.support },
    leafIndex: index,
    treeSize: size,
    pathLength: proof.auditPath.length,
    rootHash: treeHead.rootHash,
    keyId,
    signedAt: new Date(Number(treeHead.timestamp)),
  };
}

/** Why the leaf is not the person's vote as the service lists it, or undefined if it is. */
function recordMismatch(data: Uint8Array, expected: { proposalId: string; voter: string; vote: Vote }): string | undefined {
  let record: ReturnType<typeof fromBinary<typeof LogRecordSchema>>["record"];
  try {
    record = fromBinary(LogRecordSchema, data).record;
  } catch {
    return "is not a log record";
  }
  if (record.case !== "vote") return `is not a vote but a ${record.case ?? "blank"} record`;
  const logged = record.value;
  // The service keeps proposal ids in lower case whatever case they were proposed in.
  if (logged.proposalId.toLowerCase() !== expected.proposalId.toLowerCase()) {
    return `records a vote on proposal ${logged.proposalId}, not on this one`;
  }
  if (logged.voter !== expected.voter) return `records ${logged.voter}'s vote, not yours`;
  if (logged.support !== expected.vote.support) {
    return `records ${SUPPORT_NAMES[logged.support]}, but the service lists your vote as ${SUPPORT_NAMES[expected.vote.support]}`;
  }
  if (logged.reason !== expected.vote.reason) return "records another reason than the one the service lists with your vote";
  return undefined;
}

function failed(failedCheck: string): UnverifiedVote {
  return { verified: false, failedCheck };
}

/** Enough of a hash or key id to compare by eye. */
function short(hex: string): string {
  return `${hex.slice(0, 12)}…`;
}
