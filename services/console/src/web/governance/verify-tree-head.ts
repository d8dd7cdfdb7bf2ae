import { type TreeHead, treeHeadBytes } from "./tree-head-bytes.js";

/**
 * Whether `signature` is the Ed25519 signature, by the raw 32-byte `publicKey`, of the tree head.
 * Throws (a DOMException) when the browser has no Ed25519 in WebCrypto or the key is malformed,
 * which is not the same as a bad signature and is reported differently.
 */
export async function verifyTreeHead(publicKey: Uint8Array, head: TreeHead & { signature: Uint8Array }): Promise<boolean> {
  // Copies: WebCrypto takes only ArrayBuffer-backed views, and decoded protobuf bytes may not be.
  const key = await crypto.subtle.importKey("raw", new Uint8Array(publicKey), { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, new Uint8Array(head.signature), treeHeadBytes(head));
}
