import { EMPTY_ROOT, type Hash, leafHash, nodeHash } from "./merkle-hash.js";
import {
  completedBy,
  consistencyRanges,
  inclusionRanges,
  type LeafRange,
  leftSiblingsOf,
  type NodeKey,
  nodeKeyId,
  nodesFor,
  subtreesOf,
} from "./merkle-plan.js";
import type { NodeReader } from "./node-store.js";

/** A node to store, as appending a leaf produces it. */
export interface StoredNode extends NodeKey {
  hash: Hash;
}

/**
 * RFC 9162 roots and proofs computed from stored subtree hashes: each is one read of O(log n)
 * nodes, whatever the tree's size.
 */
export interface MerkleTree {
  /** MTH of the first `size` leaves. */
  root(size: number): Promise<Hash>;
  /** The audit path of leaf `index` in the tree of `size` leaves, leaf to root. */
  inclusionProof(index: number, size: number): Promise<Hash[]>;
  /** The proof that the tree of `first` leaves is a prefix of the one of `second`. */
  consistencyProof(first: number, second: number): Promise<Hash[]>;
}

export function createMerkleTree(store: NodeReader): MerkleTree {
  const hashesOf = async (ranges: readonly LeafRange[]): Promise<Hash[]> => {
    const nodes = await store.read(nodesFor(ranges));
    return ranges.map((range) => rangeHash(range, nodes));
  };
  return {
    async root(size) {
      if (size === 0) return EMPTY_ROOT;
      const [root] = await hashesOf([{ start: 0, end: size }]);
      return root!;
    },
    inclusionProof: (index, size) => hashesOf(inclusionRanges(index, size)),
    consistencyProof: (first, second) => hashesOf(consistencyRanges(first, second)),
  };
}

/** MTH of a range from its complete subtrees, folded from the right. */
function rangeHash(range: LeafRange, nodes: Map<string, Hash>): Hash {
  const parts = subtreesOf(range).map((key) => {
    const hash = nodes.get(nodeKeyId(key));
    if (hash === undefined) throw new Error(`subtree ${nodeKeyId(key)} is not stored`);
    return hash;
  });
  let hash = parts.pop()!;
  while (parts.length > 0) hash = nodeHash(parts.pop()!, hash);
  return hash;
}

/**
 * The nodes to store when leaf `index` with bytes `data` is appended: its leaf hash and each
 * subtree it completes. `leftSiblings` holds the stored nodes `leftSiblingsOf(index)` names.
 */
export function nodesForAppend(index: number, data: Uint8Array, leftSiblings: Map<string, Hash>): StoredNode[] {
  let hash = leafHash(data);
  const nodes: StoredNode[] = [{ level: 0, index, hash }];
  for (const key of completedBy(index)) {
    const left = leftSiblings.get(nodeKeyId({ level: key.level - 1, index: key.index * 2 }));
    if (left === undefined) throw new Error(`subtree ${key.level - 1}:${key.index * 2} is not stored`);
    hash = nodeHash(left, hash);
    nodes.push({ ...key, hash });
  }
  return nodes;
}

export { leftSiblingsOf };
