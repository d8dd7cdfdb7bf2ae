// RFC 9162 §2.1.1 with SHA-256, as the governance log hashes: the one-byte prefixes keep a leaf
// from ever being taken for an interior node (the second-preimage attack on plain Merkle trees).

/** The hash of a leaf: SHA-256(0x00 ‖ leaf bytes). */
export function leafHash(data: Uint8Array): Promise<Uint8Array> {
  return sha256(0x00, data);
}

/** The hash of an interior node: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(0x01, left, right);
}

async function sha256(prefix: number, ...parts: Uint8Array[]): Promise<Uint8Array> {
  const input = new Uint8Array(1 + parts.reduce((length, part) => length + part.length, 0));
  input[0] = prefix;
  let at = 1;
  for (const part of parts) {
    input.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", input));
}
