/**
 * Which stored subtree hashes a root or proof needs, without reading any: the pure half of the
 * log's O(log n) reads. A node (level, index) is the complete, aligned subtree over leaves
 * [index·2^level, (index+1)·2^level); the store holds every node once its last leaf is appended.
 * Sizes and indices are whole numbers below 2^53 (arithmetic, never 32-bit bit operations).
 */

/** A complete, aligned subtree: level 0 is a leaf. */
export interface NodeKey {
  level: number;
  index: number;
}

/** Leaves [start, end). */
export interface LeafRange {
  start: number;
  end: number;
}

/** The largest power of two strictly below n (n ≥ 2): the RFC's split point k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The complete subtrees that make up [start, end), left to right, largest first. For the ranges
 * RFC 9162's recursion produces (start a multiple of a power of two at least their size) the
 * range's Merkle tree hash is these folded from the right: MTH = H(s0, H(s1, ... sk)).
 */
export function subtreesOf({ start, end }: LeafRange): NodeKey[] {
  const keys: NodeKey[] = [];
  let at = start;
  while (at < end) {
    let size = 1;
    while (at % (size * 2) === 0 && at + size * 2 <= end) size *= 2;
    keys.push({ level: Math.log2(size), index: at / size });
    at += size;
  }
  return keys;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[start:end]): the ranges whose hashes form the audit path, leaf to root. */
export function inclusionRanges(leafIndex: number, treeSize: number): LeafRange[] {
  const path: LeafRange[] = [];
  let start = 0;
  let end = treeSize;
  let m = leafIndex;
  // Built root to leaf, returned leaf to root.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      path.push({ start: start + k, end });
      end = start + k;
    } else {
      path.push({ start, end: start + k });
      start += k;
      m -= k;
    }
  }
  return path.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(first, D[second]): the ranges whose hashes form the consistency proof, in the RFC's order. */
export function consistencyRanges(first: number, second: number): LeafRange[] {
  if (first === second) return [];
  const proof: LeafRange[] = [];
  let start = 0;
  let end = second;
  let m = first;
  let complete = true;
  // SUBPROOF appends each level's sibling after the deeper part: collect outer first, reverse at the end.
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!complete) proof.push({ start, end });
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      proof.push({ start: start + k, end });
      end = start + k;
    } else {
      proof.push({ start, end: start + k });
      start += k;
      m -= k;
      complete = false;
    }
  }
  return proof.reverse();
}

/** Every stored node the ranges need, each once: what one storage read must fetch. */
export function nodesFor(ranges: readonly LeafRange[]): NodeKey[] {
  const seen = new Map<string, NodeKey>();
  for (const range of ranges) for (const key of subtreesOf(range)) seen.set(nodeKeyId(key), key);
  return [...seen.values()];
}

export function nodeKeyId({ level, index }: NodeKey): string {
  return `${level}:${index}`;
}

/**
 * The stored nodes appending leaf `index` completes, beyond the leaf itself: (level, index >> level)
 * for each level whose subtree ends at this leaf. Each is the hash of its two children, the
 * right one just computed, the left one (`leftSiblingsOf`) read from the store.
 */
export function completedBy(index: number): NodeKey[] {
  const keys: NodeKey[] = [];
  let size = 2;
  while ((index + 1) % size === 0) {
    keys.push({ level: Math.log2(size), index: (index + 1) / size - 1 });
    size *= 2;
  }
  return keys;
}

/** The left children of the nodes appending leaf `index` completes, lowest first: what an append reads. */
export function leftSiblingsOf(index: number): NodeKey[] {
  return completedBy(index).map(({ level, index: at }) => ({ level: level - 1, index: at * 2 }));
}
