import { nodeHash } from "./merkle-hash.js";

/**
 * RFC 9162 §2.1.3.2: the root an audit path leads to from the leaf whose hash is `leaf`, at
 * `index` in a tree of `size` leaves. Undefined when the path cannot be that leaf's (too many
 * or too few hashes, or an index outside the tree): the caller compares the root it gets with
 * the signed one, and says which of the two failed.
 */
export async function rootFromInclusionProof(
  leaf: Uint8Array,
  index: bigint,
  size: bigint,
  auditPath: readonly Uint8Array[],
): Promise<Uint8Array | undefined> {
  if (index < 0n || index >= size) return undefined;
  let fn = index;
  let sn = size - 1n;
  let root = leaf;
  for (const sibling of auditPath) {
    if (sn === 0n) return undefined;
    if (fn % 2n === 1n || fn === sn) {
      root = await nodeHash(sibling, root);
      // The last node of a level with no right sibling moves up unhashed until it is a right child.
      while (fn % 2n === 0n && fn !== 0n) {
        fn /= 2n;
        sn /= 2n;
      }
    } else {
      root = await nodeHash(root, sibling);
    }
    fn /= 2n;
    sn /= 2n;
  }
  return sn === 0n ? root : undefined;
}
