import { describe, expect, it } from "vitest";
import { keyIdOf } from "./key-id-of.js";
import { treeHeadBytes } from "./tree-head-bytes.js";
import { verifyTreeHead } from "./verify-tree-head.js";

const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));

// A tree head the governance service signed: createTreeHeadSigner(DEVELOPMENT_SIGNING_KEY) from
// services/governance, over the RFC 6962 reference tree's 8-leaf root. Ed25519 signatures are
// deterministic, so the service signs these bytes the same way every time.
const SERVICE = {
  publicKey: fromHex("c11c7fc00621de4a17954b4cc27f3261d77ab6e50f4ca6751d7a08e0794af35a"),
  keyId: "bfc363c4440051d9e495d33ac5f84d9651f18e2858d8c92ea7943f59b56b3b81",
  head: {
    treeSize: 8n,
    timestamp: 1_764_770_580_000n,
    rootHash: fromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
    signature: fromHex(
      "98973209173b823c83602f35177720801f9e7376eca10c529e4fceba7366afd0e3d61628629298a0452d74f0a55261f3909ce8ab4e928f32e1a767e61f29ad06",
    ),
  },
};

describe("signed tree heads, checked with WebCrypto", () => {
  it("encodes RFC 6962's TreeHeadSignature: version, type, timestamp, size, root", () => {
    const bytes = treeHeadBytes(SERVICE.head);
    const view = new DataView(bytes.buffer);
    expect(bytes.length).toBe(50);
    expect([bytes[0], bytes[1]]).toEqual([0, 1]);
    expect(view.getBigUint64(2)).toBe(1_764_770_580_000n);
    expect(view.getBigUint64(10)).toBe(8n);
    expect(bytes.slice(18)).toEqual(SERVICE.head.rootHash);
    expect(() => treeHeadBytes({ ...SERVICE.head, rootHash: new Uint8Array(31) })).toThrow(RangeError);
  });

  it("names the key as the service does", async () => {
    expect(await keyIdOf(SERVICE.publicKey)).toBe(SERVICE.keyId);
  });

  it("accepts the service's signature, and nothing changed in it", async () => {
    expect(await verifyTreeHead(SERVICE.publicKey, SERVICE.head)).toBe(true);
    const flip = (bytes: Uint8Array, at: number) => bytes.map((byte, i) => (i === at ? byte ^ 1 : byte));
    expect(await verifyTreeHead(SERVICE.publicKey, { ...SERVICE.head, treeSize: 9n })).toBe(false);
    expect(await verifyTreeHead(SERVICE.publicKey, { ...SERVICE.head, timestamp: SERVICE.head.timestamp + 1n })).toBe(false);
    expect(await verifyTreeHead(SERVICE.publicKey, { ...SERVICE.head, rootHash: flip(SERVICE.head.rootHash, 31) })).toBe(false);
    expect(await verifyTreeHead(SERVICE.publicKey, { ...SERVICE.head, signature: flip(SERVICE.head.signature, 0) })).toBe(false);
    const other = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const otherKey = new Uint8Array(await crypto.subtle.exportKey("raw", other.publicKey));
    expect(await verifyTreeHead(otherKey, SERVICE.head)).toBe(false);
  });

  it("throws, rather than answering no, for a key that is not an Ed25519 key", async () => {
    await expect(verifyTreeHead(SERVICE.publicKey.slice(1), SERVICE.head)).rejects.toThrow();
  });
});
