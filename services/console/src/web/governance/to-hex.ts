/** Bytes as lower-case hex, the way the log names keys and a person compares hashes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
