import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMPTY_ROOT, type Hash, hashesEqual, leafHash } from "./merkle-hash.js";
import { type NodeKey, nodeKeyId } from "./merkle-plan.js";
import { createMerkleTree, leftSiblingsOf, nodesForAppend } from "./merkle-tree.js";
import { rootOfLeaves, verifyConsistency, verifyInclusion } from "./verify-proofs.js";

/** RFC 9162 §2.1.1 MTH, literally: the recursion at the largest power of two below n. */
function mth(leaves: readonly Uint8Array[]): Hash {
  if (leaves.length === 0) return createHash("sha256").digest();
  if (leaves.length === 1) return leafHash(leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return createHash("sha256")
    .update(Uint8Array.of(1))
    .update(mth(leaves.slice(0, k)))
    .update(mth(leaves.slice(k)))
    .digest();
}

/** The log's store in memory, counting reads and the nodes they fetch. */
function memoryLog() {
  const nodes = new Map<string, Hash>();
  const stats = { reads: 0, nodes: 0 };
  const reader = {
    async read(keys: readonly NodeKey[]) {
      stats.reads += 1;
      stats.nodes += keys.length;
      const found = new Map<string, Hash>();
      for (const key of keys) {
        const hash = nodes.get(nodeKeyId(key));
        if (hash !== undefined) found.set(nodeKeyId(key), hash);
      }
      return found;
    },
  };
  const leaves: Uint8Array[] = [];
  return {
    nodes,
    stats,
    leaves,
    tree: createMerkleTree(reader),
    async append(data: Uint8Array) {
      const index = leaves.length;
      const siblings = await reader.read(leftSiblingsOf(index));
      for (const node of nodesForAppend(index, data, siblings)) nodes.set(nodeKeyId(node), node.hash);
      leaves.push(data);
    },
  };
}

const leafBytes = (i: number) => new TextEncoder().encode(`leaf ${i}`);

async function logOf(size: number) {
  const log = memoryLog();
  for (let i = 0; i < size; i++) await log.append(leafBytes(i));
  return log;
}

const MAX = 260;

describe("the Merkle log (RFC 9162)", () => {
  it("hashes leaves and nodes with the RFC's prefixes", () => {
    expect(Buffer.from(EMPTY_ROOT).toString("hex")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(Buffer.from(leafHash(new Uint8Array())).toString("hex")).toBe(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    );
  });

  it("has the root of the RFC's definition at every size, from stored subtrees and from the leaves alone", async () => {
    const log = await logOf(MAX);
    for (let size = 0; size <= MAX; size++) {
      const expected = mth(log.leaves.slice(0, size));
      expect(hashesEqual(await log.tree.root(size), expected), `size ${size}`).toBe(true);
      expect(hashesEqual(rootOfLeaves(log.leaves.slice(0, size)), expected), `size ${size}`).toBe(true);
    }
  });

  it("proves every leaf's inclusion in every tree that holds it", async () => {
    const log = await logOf(MAX);
    for (let size = 1; size <= MAX; size++) {
      const root = mth(log.leaves.slice(0, size));
      for (let index = 0; index < size; index++) {
        const path = await log.tree.inclusionProof(index, size);
        expect(verifyInclusion(leafHash(log.leaves[index]!), index, size, path, root), `${index} in ${size}`).toBe(true);
      }
    }
  });

  it("proves consistency between every pair of sizes", async () => {
    const log = await logOf(MAX);
    const roots = Array.from({ length: MAX + 1 }, (_, size) => mth(log.leaves.slice(0, size)));
    for (let second = 1; second <= MAX; second++) {
      for (let first = 1; first <= second; first++) {
        const proof = await log.tree.consistencyProof(first, second);
        expect(verifyConsistency(first, second, roots[first]!, roots[second]!, proof), `${first} → ${second}`).toBe(true);
      }
    }
  });

  it("rejects a proof with any hash altered, added or removed, or checked against another leaf or root", async () => {
    const log = await logOf(MAX);
    const roots = Array.from({ length: MAX + 1 }, (_, size) => mth(log.leaves.slice(0, size)));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: MAX }), fc.nat(), fc.nat(), fc.nat(255), async (size, i, at, bit) => {
        const index = i % size;
        const path = await log.tree.inclusionProof(index, size);
        const leaf = leafHash(log.leaves[index]!);
        const flipped = path.map((hash, j) => (j === at % path.length ? flip(hash, bit) : hash));
        expect(verifyInclusion(leaf, index, size, flipped, roots[size]!)).toBe(false);
        expect(verifyInclusion(leaf, index, size, path.slice(1), roots[size]!)).toBe(false);
        expect(verifyInclusion(leaf, index, size, [...path, leaf], roots[size]!)).toBe(false);
        expect(verifyInclusion(leafHash(leafBytes(-1)), index, size, path, roots[size]!)).toBe(false);
        expect(verifyInclusion(leaf, index, size, path, roots[size - 1]!)).toBe(false);
        const first = 1 + (at % (size - 1));
        const proof = await log.tree.consistencyProof(first, size);
        const altered = proof.map((hash, j) => (j === bit % proof.length ? flip(hash, at) : hash));
        expect(verifyConsistency(first, size, roots[first]!, roots[size]!, altered)).toBe(false);
        expect(verifyConsistency(first, size, roots[first]!, roots[size - 1]!, proof)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("reads O(log n) stored nodes, in one read, per root or proof", async () => {
    const log = await logOf(1_000);
    for (const size of [1, 2, 3, 7, 8, 9, 100, 511, 512, 513, 999, 1_000]) {
      const bound = 2 * Math.ceil(Math.log2(size + 1)) + 1;
      for (const index of [0, Math.floor(size / 2), size - 1]) {
        const before = { ...log.stats };
        await log.tree.inclusionProof(index, size);
        expect(log.stats.reads - before.reads).toBe(1);
        expect(log.stats.nodes - before.nodes, `${index} in ${size}`).toBeLessThanOrEqual(bound);
      }
      const before = { ...log.stats };
      await log.tree.consistencyProof(Math.ceil(size / 3), size);
      await log.tree.root(size);
      expect(log.stats.reads - before.reads).toBe(2);
      expect(log.stats.nodes - before.nodes).toBeLessThanOrEqual(2 * bound);
    }
  });

  it("reads at most log2(n) nodes per append", async () => {
    for (const index of [0, 1, 6, 7, 1_023, 1_024, 65_535]) {
      expect(leftSiblingsOf(index).length).toBeLessThanOrEqual(Math.ceil(Math.log2(index + 2)));
    }
  });
});

function flip(hash: Hash, bit: number): Hash {
  const copy = Uint8Array.from(hash);
  copy[Math.floor(bit / 8) % copy.length]! ^= 1 << (bit % 8);
  return copy;
}
