import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";

/** A tree head as signed. */
export interface TreeHead {
  treeSize: number;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  rootHash: Uint8Array;
}

/**
 * The bytes a tree head signature covers: RFC 6962 §3.5's TreeHeadSignature, version v1 (0),
 * signature type tree_hash (1), timestamp (uint64 ms, big-endian), tree_size (uint64,
 * big-endian), sha256_root_hash (32 bytes); 50 bytes in all.
 */
export function treeHeadBytes({ treeSize, timestamp, rootHash }: TreeHead): Uint8Array {
  const bytes = Buffer.alloc(50);
  bytes.writeUInt8(0, 0);
  bytes.writeUInt8(1, 1);
  bytes.writeBigUInt64BE(BigInt(timestamp), 2);
  bytes.writeBigUInt64BE(BigInt(treeSize), 10);
  Buffer.from(rootHash).copy(bytes, 18);
  return bytes;
}

/** An Ed25519 key pair that signs tree heads. */
export interface TreeHeadSigner {
  /** The raw 32-byte public key. */
  readonly publicKey: Uint8Array;
  readonly publicKeyPem: string;
  /** Hex SHA-256 of the raw public key. */
  readonly keyId: string;
  sign(head: TreeHead): Uint8Array;
}

// PKCS#8 and SPKI wrappers of a raw Ed25519 key (RFC 8410): the fixed DER prefixes before the 32 bytes.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** A signer from a 32-byte Ed25519 private key (seed). */
export function createTreeHeadSigner(seed: Uint8Array): TreeHeadSigner {
  if (seed.length !== 32) throw new Error("an Ed25519 private key is 32 bytes");
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  const publicKeyObject = createPublicKey(privateKey);
  const publicKey = publicKeyObject.export({ format: "der", type: "spki" }).subarray(SPKI_PREFIX.length);
  return {
    publicKey,
    publicKeyPem: publicKeyObject.export({ format: "pem", type: "spki" }).toString(),
    keyId: keyIdOf(publicKey),
    sign: (head) => sign(null, treeHeadBytes(head), privateKey),
  };
}

/** Whether `signature` is the key's Ed25519 signature of the tree head. */
export function verifyTreeHead(publicKey: Uint8Array, head: TreeHead, signature: Uint8Array): boolean {
  return verify(null, treeHeadBytes(head), publicKeyObjectOf(publicKey), signature);
}

export function keyIdOf(publicKey: Uint8Array): string {
  return createHash("sha256").update(publicKey).digest("hex");
}

function publicKeyObjectOf(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
}
