import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  GetInclusionProofResponseSchema,
  GetLeavesResponseSchema,
  GetPublicKeyResponseSchema,
  GetTreeHeadResponseSchema,
  type LogRecord,
  LogRecordSchema,
  type Vote,
  VoteSchema,
  VoteSupport,
} from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { describe, expect, it } from "vitest";
import { describeVerification } from "./describe-verification.js";
import { keyIdOf } from "./key-id-of.js";
import { referencePath, referenceRoot } from "./reference-merkle-tree.js";
import { toHex } from "./to-hex.js";
import { treeHeadBytes } from "./tree-head-bytes.js";
import { type GovernanceLog, verifyMyVote } from "./verify-my-vote.js";

const PROPOSAL = "0d3e5f10-0000-4000-8000-0000000060e1";
const OTHER_PROPOSAL = "0d3e5f10-0000-4000-8000-0000000060e2";
const CAST_AT = 1_764_770_000_000;

const voteRecord = (proposalId: string, voter: string, support: VoteSupport, reason = ""): LogRecord =>
  create(LogRecordSchema, { record: { case: "vote", value: { proposalId, voter, support, reason, castTime: timestampFromMs(CAST_AT) } } });

/** A log of a proposal, votes on it and another, as the service's leaves: real LogRecord encodings. */
const RECORDS: LogRecord[] = [
  create(LogRecordSchema, {
    record: { case: "proposal", value: { proposalId: PROPOSAL, proposer: "alice", parameter: "transfers.limits.USD.daily_max" } },
  }),
  voteRecord(PROPOSAL, "alice", VoteSupport.FOR),
  voteRecord(PROPOSAL, "bob", VoteSupport.AGAINST, "too high"),
  voteRecord(PROPOSAL, "carol", VoteSupport.FOR, "people pay rent with us"),
  voteRecord(OTHER_PROPOSAL, "carol", VoteSupport.ABSTAIN),
  voteRecord(OTHER_PROPOSAL, "alice", VoteSupport.AGAINST),
  voteRecord(OTHER_PROPOSAL, "bob", VoteSupport.FOR),
];

/** carol's vote on PROPOSAL, as ListVotes serves it: leaf 3. */
const CAROLS_VOTE: Vote = create(VoteSchema, {
  proposalId: PROPOSAL,
  voter: "carol",
  support: VoteSupport.FOR,
  reason: "people pay rent with us",
  castTime: timestampFromMs(CAST_AT),
  leafIndex: 3n,
});

interface Tampering {
  leaves?: (leaves: Uint8Array[]) => Uint8Array[];
  auditPath?: (path: Uint8Array[]) => Uint8Array[];
  /** Signs this root instead of the leaves' (a log that signs a tree it does not serve). */
  signedRoot?: Uint8Array;
  /** Serves this root under a signature made for the real one. */
  servedRoot?: Uint8Array;
  signature?: (signature: Uint8Array) => Uint8Array;
  /** Serves this key id with the key. */
  keyId?: string;
  /** Serves this key (and names it in the tree head) instead of the one that signed. */
  publicKey?: Uint8Array;
}

const flip = (bytes: Uint8Array) => bytes.map((byte, i) => (i === 0 ? byte ^ 1 : byte));

/** The log's RPCs over RECORDS, signed with a fresh Ed25519 key, with one answer tampered as asked. */
async function logOf(tamper: Tampering = {}): Promise<GovernanceLog> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const honest = RECORDS.map((record) => toBinary(LogRecordSchema, record));
  const leaves = tamper.leaves?.(honest) ?? honest;
  const treeSize = BigInt(honest.length);
  const timestamp = 1_764_770_580_000n;
  const rootHash = tamper.signedRoot ?? (await referenceRoot(honest));
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "Ed25519" }, pair.privateKey, treeHeadBytes({ treeSize, timestamp, rootHash })),
  );
  const servedKey = tamper.publicKey ?? publicKey;
  const keyId = await keyIdOf(servedKey);
  return {
    getPublicKey: async () => create(GetPublicKeyResponseSchema, { publicKey: servedKey, keyId: tamper.keyId ?? keyId }),
    getTreeHead: async () =>
      create(GetTreeHeadResponseSchema, {
        treeHead: {
          treeSize,
          timestamp,
          rootHash: tamper.servedRoot ?? rootHash,
          signature: tamper.signature?.(signature) ?? signature,
          keyId,
        },
      }),
    getLeaves: async (request) => {
      const start = Number(request.start);
      return create(GetLeavesResponseSchema, {
        leaves: leaves.slice(start, Number(request.end)).map((data, i) => ({ index: BigInt(start + i), data })),
      });
    },
    getInclusionProof: async (request) => {
      const path = await referencePath(Number(request.leafIndex), honest.slice(0, Number(request.treeSize)));
      return create(GetInclusionProofResponseSchema, {
        leafIndex: request.leafIndex,
        treeSize: request.treeSize,
        auditPath: tamper.auditPath?.(path) ?? path,
      });
    },
  };
}

const verifyCarols = async (log: GovernanceLog, vote: Vote = CAROLS_VOTE, pinnedKeyId?: string) =>
  describeVerification(await verifyMyVote(log, { vote, voter: "carol", proposalId: PROPOSAL, pinnedKeyId }));

describe("verifying my vote in the browser", () => {
  it("says what it checked when the vote is in the signed log", async () => {
    const log = await logOf();
    const result = await verifyMyVote(log, { vote: CAROLS_VOTE, voter: "carol", proposalId: PROPOSAL.toUpperCase() });
    expect(result).toMatchObject({ verified: true, leafIndex: 3n, treeSize: 7n, pathLength: 3 });
    const { treeHead } = await log.getTreeHead({});
    expect(result.verified && toHex(result.rootHash)).toBe(toHex(treeHead!.rootHash));
    expect(describeVerification(result)).toMatch(
      /^Verified: your FOR vote on proposal 0D3E5F10… is leaf 3 of the log's 7 leaves; the path of 3 hashes leads to root [0-9a-f]{12}…, which the log signed with key [0-9a-f]{12}… at .+\.$/,
    );
  });

  it("accepts the key this browser trusted before, and refuses another", async () => {
    const log = await logOf();
    const { keyId } = await log.getPublicKey({});
    expect(await verifyCarols(log, CAROLS_VOTE, keyId)).toMatch(/^Verified/);
    expect(await verifyCarols(log, CAROLS_VOTE, "ab".repeat(32))).toMatch(
      /^Not verified: the log now signs with key [0-9a-f]{12}…, not abababababab…, the key this browser trusted before/,
    );
  });

  it("fails on a tampered signature, a signature by another key, or a key id that is not the key's", async () => {
    expect(await verifyCarols(await logOf({ signature: flip }))).toMatch(
      /^Not verified: the signature on the tree head of 7 leaves does not verify with the log's key [0-9a-f]{12}…\.$/,
    );
    const other = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const otherKey = new Uint8Array(await crypto.subtle.exportKey("raw", other.publicKey));
    expect(await verifyCarols(await logOf({ publicKey: otherKey }))).toBe(
      `Not verified: the signature on the tree head of 7 leaves does not verify with the log's key ${(await keyIdOf(otherKey)).slice(0, 12)}….`,
    );
    expect(await verifyCarols(await logOf({ keyId: "ab".repeat(32) }))).toMatch(
      /^Not verified: the log names its key abababababab…, but the key it serves hashes to [0-9a-f]{12}…\.$/,
    );
  });

  it("fails on a served root other than the one signed", async () => {
    expect(await verifyCarols(await logOf({ servedRoot: new Uint8Array(32) }))).toMatch(
      /^Not verified: the signature on the tree head of 7 leaves does not verify/,
    );
  });

  it("fails when the log signed a root its leaves do not lead to", async () => {
    expect(await verifyCarols(await logOf({ signedRoot: new Uint8Array(32) }))).toMatch(
      /^Not verified: the path of 3 hashes from leaf 3 leads to root [0-9a-f]{12}…, not to the signed root 000000000000…\.$/,
    );
  });

  it("fails on a tampered path: a changed hash, one too few or one too many", async () => {
    expect(await verifyCarols(await logOf({ auditPath: (path) => path.map((hash, i) => (i === 1 ? flip(hash) : hash)) }))).toMatch(
      /^Not verified: the path of 3 hashes from leaf 3 leads to root [0-9a-f]{12}…, not to the signed root/,
    );
    expect(await verifyCarols(await logOf({ auditPath: (path) => path.slice(0, 2) }))).toBe(
      "Not verified: the inclusion proof has 2 hashes, which is not a path from leaf 3 in a tree of 7 leaves.",
    );
    expect(await verifyCarols(await logOf({ auditPath: (path) => [...path, path[0]!] }))).toBe(
      "Not verified: the inclusion proof has 4 hashes, which is not a path from leaf 3 in a tree of 7 leaves.",
    );
  });

  it("fails on a tampered leaf, whether or not it still reads as the vote", async () => {
    // An unknown field (15, varint 1) appended: the record still decodes to carol's vote, but its hash changes.
    const padded = (leaves: Uint8Array[]) => leaves.map((leaf, i) => (i === 3 ? Uint8Array.of(...leaf, 15 << 3, 1) : leaf));
    expect(await verifyCarols(await logOf({ leaves: padded }))).toMatch(/^Not verified: the path of 3 hashes from leaf 3 leads to root/);
    const swapped = (leaves: Uint8Array[]) =>
      leaves.map((leaf, i) =>
        i === 3 ? toBinary(LogRecordSchema, voteRecord(PROPOSAL, "carol", VoteSupport.AGAINST, "people pay rent with us")) : leaf,
      );
    expect(await verifyCarols(await logOf({ leaves: swapped }))).toBe(
      "Not verified: leaf 3 records AGAINST, but the service lists your vote as FOR.",
    );
    expect(await verifyCarols(await logOf({ leaves: (leaves) => leaves.map((leaf, i) => (i === 3 ? Uint8Array.of(0xff) : leaf)) }))).toBe(
      "Not verified: leaf 3 is not a log record.",
    );
  });

  it("fails when the vote names a leaf that is not this person's vote on this proposal", async () => {
    const log = await logOf();
    const at = (leafIndex: bigint) => create(VoteSchema, { ...CAROLS_VOTE, leafIndex });
    expect(await verifyCarols(log, at(2n))).toBe("Not verified: leaf 2 records bob's vote, not yours.");
    expect(await verifyCarols(log, at(4n))).toBe(`Not verified: leaf 4 records a vote on proposal ${OTHER_PROPOSAL}, not on this one.`);
    expect(await verifyCarols(log, at(0n))).toBe("Not verified: leaf 0 is not a vote but a proposal record.");
    expect(await verifyCarols(log, at(7n))).toBe(
      "Not verified: the signed tree has 7 leaves, so it cannot hold leaf 7, where your vote is said to be.",
    );
    expect(await verifyCarols(log, create(VoteSchema, { ...CAROLS_VOTE, reason: "" }))).toBe(
      "Not verified: leaf 3 records another reason than the one the service lists with your vote.",
    );
  });
});
