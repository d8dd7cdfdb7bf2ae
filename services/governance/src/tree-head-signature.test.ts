import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTreeHeadSigner, treeHeadBytes, verifyTreeHead } from "./tree-head-signature.js";

describe("signed tree heads", () => {
  const signer = createTreeHeadSigner(randomBytes(32));
  const head = { treeSize: 300, timestamp: 1_764_000_000_123, rootHash: randomBytes(32) };

  it("encodes the RFC 6962 TreeHeadSignature: version, type, timestamp, size, root", () => {
    const bytes = Buffer.from(treeHeadBytes(head));
    expect(bytes.length).toBe(50);
    expect([bytes[0], bytes[1]]).toEqual([0, 1]);
    expect(bytes.readBigUInt64BE(2)).toBe(1_764_000_000_123n);
    expect(bytes.readBigUInt64BE(10)).toBe(300n);
    expect(bytes.subarray(18).equals(head.rootHash)).toBe(true);
  });

  it("verifies with the public key, and fails for any other size, time, root or key", () => {
    const signature = signer.sign(head);
    expect(signature.length).toBe(64);
    expect(signer.publicKey.length).toBe(32);
    expect(signer.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(verifyTreeHead(signer.publicKey, head, signature)).toBe(true);
    expect(verifyTreeHead(signer.publicKey, { ...head, treeSize: 301 }, signature)).toBe(false);
    expect(verifyTreeHead(signer.publicKey, { ...head, timestamp: head.timestamp + 1 }, signature)).toBe(false);
    expect(verifyTreeHead(signer.publicKey, { ...head, rootHash: randomBytes(32) }, signature)).toBe(false);
    expect(verifyTreeHead(createTreeHeadSigner(randomBytes(32)).publicKey, head, signature)).toBe(false);
  });
});
