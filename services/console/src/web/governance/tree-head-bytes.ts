/** A tree head as the log signs it; the generated `SignedTreeHead` is one. */
export interface TreeHead {
  treeSize: bigint;
  /** Milliseconds since the Unix epoch. */
  timestamp: bigint;
  rootHash: Uint8Array;
}

/**
 * The 50 bytes a tree head signature covers, RFC 6962 §3.5's TreeHeadSignature: version v1 (0),
 * signature type tree_hash (1), timestamp (uint64 big-endian), tree_size (uint64 big-endian),
 * the 32-byte root. The service signs exactly these (services/governance tree-head-signature.ts).
 */
export function treeHeadBytes({ treeSize, timestamp, rootHash }: TreeHead): Uint8Array<ArrayBuffer> {
  if (rootHash.length !== 32) throw new RangeError(`a SHA-256 root is 32 bytes, not ${rootHash.length}`);
  const bytes = new Uint8Array(50);
  const view = new DataView(bytes.buffer);
  view.setUint8(0, 0);
  view.setUint8(1, 1);
  view.setBigUint64(2, timestamp);
  view.setBigUint64(10, treeSize);
  bytes.set(rootHash, 18);
  return bytes;
}
