import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

/** Format byte of a sealed value; a different layout later gets a different byte. */
const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/**
 * AES-256-GCM with a ring of named keys. Values are sealed under the current key and opened
 * under whichever key they name, so rotating means adding a key, making it current, and
 * re-encrypting at leisure (`npm run reencrypt -w @paymesh/handles`).
 *
 * A sealed value is `0x01 | iv (12) | tag (16) | ciphertext`; its key id is kept beside it
 * (the row's `key_id` column). The associated data binds each value to its purpose, its
 * key id and its row (e.g. `account_id|@bob`), so a ciphertext copied to another row or column,
 * or relabelled with another key id, fails authentication instead of decrypting.
 */
export interface Keyring {
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
  seal(plaintext: string, context: string): { keyId: string; sealed: Buffer };
  /** Throws {@link KeyringError} for an unknown key id or a value that fails authentication. */
  open(keyId: string, sealed: Uint8Array, context: string): string;
  /** Keyed HMAC-SHA256 of a value: equal inputs give equal indexes, nothing else is revealed. */
  blindIndex(value: string): Buffer;
}

export class KeyringError extends Error {
  override readonly name = "KeyringError";
}

export interface KeyringOptions {
  keys: ReadonlyMap<string, Buffer>;
  currentKeyId: string;
  /** Key of the blind index (HMAC), separate from the encryption keys. */
  indexKey: Buffer;
}

export function createKeyring({ keys, currentKeyId, indexKey }: KeyringOptions): Keyring {
  for (const [id, key] of keys) {
    if (key.length !== KEY_BYTES) throw new KeyringError(`key ${id} must be ${KEY_BYTES} bytes`);
  }
  if (!keys.has(currentKeyId)) throw new KeyringError(`current key ${currentKeyId} is not in the ring`);
  const current = keys.get(currentKeyId)!;
  const aad = (keyId: string, context: string) => Buffer.from(`paymesh.handles|${keyId}|${context}`, "utf8");
  return {
    currentKeyId,
    keyIds: [...keys.keys()],
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      cipher.setAAD(aad(currentKeyId, context));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return { keyId: currentKeyId, sealed: Buffer.concat([Buffer.of(FORMAT_V1), iv, cipher.getAuthTag(), body]) };
    },
    open(keyId, sealed, context) {
      const key = keys.get(keyId);
      if (key === undefined) throw new KeyringError(`no key ${keyId} in the ring (was it removed before re-encryption finished?)`);
      const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
      if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== FORMAT_V1) throw new KeyringError("not a sealed value");
      const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(aad(keyId, context));
      decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
      } catch {
        throw new KeyringError(`value does not authenticate under key ${keyId}`);
      }
    },
    blindIndex: (value) => createHmac("sha256", indexKey).update(value, "utf8").digest(),
  };
}
