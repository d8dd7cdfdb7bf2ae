import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createKeyring, KeyringError } from "./create-keyring.js";

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const indexKey = randomBytes(32);

describe("createKeyring", () => {
  it("seals under the current key and opens under the key named", () => {
    const old = createKeyring({ keys: new Map([["k1", k1]]), currentKeyId: "k1", indexKey });
    const { keyId, sealed } = old.seal("acct-123", "account_id|@bob");
    expect(keyId).toBe("k1");
    expect(sealed.includes(Buffer.from("acct-123"))).toBe(false);
    // After rotation the old value still opens; new ones are sealed under k2.
    const rotated = createKeyring({
      keys: new Map([
        ["k1", k1],
        ["k2", k2],
      ]),
      currentKeyId: "k2",
      indexKey,
    });
    expect(rotated.open("k1", sealed, "account_id|@bob")).toBe("acct-123");
    expect(rotated.seal("x", "c").keyId).toBe("k2");
  });

  it("uses a fresh IV each time", () => {
    const ring = createKeyring({ keys: new Map([["k1", k1]]), currentKeyId: "k1", indexKey });
    expect(ring.seal("same", "c").sealed.equals(ring.seal("same", "c").sealed)).toBe(false);
  });

  it("refuses a value moved to another row or column, relabelled, tampered with, or under a retired key", () => {
    const ring = createKeyring({
      keys: new Map([
        ["k1", k1],
        ["k2", k2],
      ]),
      currentKeyId: "k1",
      indexKey,
    });
    const { sealed } = ring.seal("alice", "owner|@bob");
    expect(() => ring.open("k1", sealed, "owner|@eve")).toThrow(KeyringError);
    expect(() => ring.open("k1", sealed, "account_id|@bob")).toThrow(KeyringError);
    expect(() => ring.open("k2", sealed, "owner|@bob")).toThrow(KeyringError);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => ring.open("k1", tampered, "owner|@bob")).toThrow(KeyringError);
    const retired = createKeyring({ keys: new Map([["k2", k2]]), currentKeyId: "k2", indexKey });
    expect(() => retired.open("k1", sealed, "owner|@bob")).toThrow(/no key k1/);
  });

  it("gives a stable blind index that depends on the key", () => {
    const ring = createKeyring({ keys: new Map([["k1", k1]]), currentKeyId: "k1", indexKey });
    const other = createKeyring({ keys: new Map([["k1", k1]]), currentKeyId: "k1", indexKey: randomBytes(32) });
    expect(ring.blindIndex("alice").equals(ring.blindIndex("alice"))).toBe(true);
    expect(ring.blindIndex("alice").equals(ring.blindIndex("bob"))).toBe(false);
    expect(ring.blindIndex("alice").equals(other.blindIndex("alice"))).toBe(false);
  });

  it("refuses bad rings", () => {
    expect(() => createKeyring({ keys: new Map([["k1", randomBytes(16)]]), currentKeyId: "k1", indexKey })).toThrow(/32 bytes/);
    expect(() => createKeyring({ keys: new Map([["k1", k1]]), currentKeyId: "k9", indexKey })).toThrow(/not in the ring/);
  });
});
