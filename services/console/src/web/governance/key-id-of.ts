import { toHex } from "./to-hex.js";

/** The log's name for a key: hex SHA-256 of the raw public key. */
export async function keyIdOf(publicKey: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(publicKey))));
}
