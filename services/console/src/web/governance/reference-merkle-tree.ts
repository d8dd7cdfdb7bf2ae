import { leafHash, nodeHash } from "./merkle-hash.js";

// For tests: RFC 9162's recursive definitions taken literally (split at the largest power of two
// below n), so the iterative verifier is checked against the RFC's text, not against itself.

/** §2.1.1 MTH: the root of the tree of `leaves` (at least one). */
export async function referenceRoot(leaves: readonly Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 1) return leafHash(leaves[0]!);
  const k = largestPowerOfTwoBelow(leaves.length);
  return nodeHash(await referenceRoot(leaves.slice(0, k)), await referenceRoot(leaves.slice(k)));
}

/** §2.1.3.1 PATH: the audit path of leaf `index` in the tree of `leaves`, leaf to root. */
export async function referencePath(index: number, leaves: readonly Uint8Array[]): Promise<Uint8Array[]> {
  if (leaves.length === 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  return index < k
    ? [...(await referencePath(index, leaves.slice(0, k))), await referenceRoot(leaves.slice(k))]
    : [...(await referencePath(index - k, leaves.slice(k))), await referenceRoot(leaves.slice(0, k))];
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
