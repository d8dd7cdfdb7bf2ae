import { describe, expect, it } from "vitest";
import { leafHash } from "./merkle-hash.js";
import { referencePath, referenceRoot } from "./reference-merkle-tree.js";
import { rootFromInclusionProof } from "./root-from-inclusion-proof.js";
import { toHex } from "./to-hex.js";

const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));

// RFC 6962's reference tree (transparency-dev/merkle's test vectors): eight leaves, the root of
// each prefix, and audit paths. The governance service's own verifyInclusion accepts these too.
const LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(fromHex);
const ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const PROOFS: Array<{ index: bigint; size: bigint; path: string[] }> = [
  {
    index: 0n,
    size: 8n,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5n,
    size: 8n,
    path: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  { index: 2n, size: 3n, path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"] },
  {
    index: 1n,
    size: 5n,
    path: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

const leafBytes = (i: number) => new TextEncoder().encode(`leaf ${i}`);

describe("the root an inclusion proof leads to (RFC 9162 §2.1.3.2)", () => {
  it("hashes the RFC 6962 reference tree to its published roots", async () => {
    for (let size = 1; size <= LEAVES.length; size++) {
      expect(toHex(await referenceRoot(LEAVES.slice(0, size))), `size ${size}`).toBe(ROOTS[size - 1]);
    }
  });

  it("leads the reference audit paths to the reference roots", async () => {
    for (const { index, size, path } of PROOFS) {
      const root = await rootFromInclusionProof(await leafHash(LEAVES[Number(index)]!), index, size, path.map(fromHex));
      expect(root && toHex(root), `leaf ${index} of ${size}`).toBe(ROOTS[Number(size) - 1]);
    }
  });

  it("leads every leaf's path to the root, in every tree up to 40 leaves", async () => {
    const leaves = Array.from({ length: 40 }, (_, i) => leafBytes(i));
    for (let size = 1; size <= leaves.length; size++) {
      const tree = leaves.slice(0, size);
      const root = toHex(await referenceRoot(tree));
      for (let index = 0; index < size; index++) {
        const path = await referencePath(index, tree);
        const led = await rootFromInclusionProof(await leafHash(tree[index]!), BigInt(index), BigInt(size), path);
        expect(led && toHex(led), `leaf ${index} of ${size}`).toBe(root);
      }
    }
  });

  it("leads nowhere near the root from a tampered leaf, path or index", async () => {
    const leaves = Array.from({ length: 13 }, (_, i) => leafBytes(i));
    const root = toHex(await referenceRoot(leaves));
    const index = 6;
    const path = await referencePath(index, leaves);
    const leaf = await leafHash(leaves[index]!);
    const notTheRoot = (led: Uint8Array | undefined) => led === undefined || toHex(led) !== root;

    expect(notTheRoot(await rootFromInclusionProof(await leafHash(leafBytes(99)), 6n, 13n, path))).toBe(true);
    for (let i = 0; i < path.length; i++) {
      const flipped = path.map((hash, j) => (j === i ? hash.map((byte, k) => (k === 0 ? byte ^ 1 : byte)) : hash));
      expect(notTheRoot(await rootFromInclusionProof(leaf, 6n, 13n, flipped)), `hash ${i} flipped`).toBe(true);
    }
    expect(notTheRoot(await rootFromInclusionProof(leaf, 7n, 13n, path))).toBe(true);
    expect(await rootFromInclusionProof(leaf, 6n, 13n, path.slice(1))).toBeUndefined();
    expect(await rootFromInclusionProof(leaf, 6n, 13n, [...path, path[0]!])).toBeUndefined();
    expect(await rootFromInclusionProof(leaf, 13n, 13n, path)).toBeUndefined();
  });
});
