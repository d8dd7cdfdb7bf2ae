import { create, type MessageInitShape, toBinary, toJsonString } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import { PostEntriesRequestSchema, type PostEntryRequestSchema, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { describe, expect, it } from "vitest";
import { POST_ENTRIES_READ_LIMIT } from "./post-entries-read-limit.js";

/** One code point, four bytes in UTF-8: the most bytes a character-counted field can hold. */
const WIDE = "𝄞";
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const validator = createValidator();

/** The largest entry the rules allow: every field at its maximum, every string in 4-byte characters. */
function largestEntry(n: number): MessageInitShape<typeof PostEntryRequestSchema> {
  return {
    entryId: uuid(n),
    // The largest int64 takes the most varint bytes; the side's value is one byte either way.
    lines: Array.from({ length: 100 }, (_, line) => ({ accountId: uuid(line), amount: 2n ** 63n - 1n, side: Side.CREDIT })),
    memo: WIDE.repeat(500),
    metadata: Object.fromEntries(
      // Keys must differ: each ends in a different 4-byte character.
      Array.from({ length: 32 }, (_, pair) => [`${WIDE.repeat(63)}${String.fromCodePoint(0x1d100 + pair)}`, WIDE.repeat(512)]),
    ),
    pending: true,
    pendingTimeoutSeconds: 2_592_000,
    linked: true,
  };
}

/** A batch of `size` small, valid entries: what max_items counts. */
const batchOf = (size: number) =>
  create(PostEntriesRequestSchema, {
    entries: Array.from({ length: size }, (_, n) => ({
      entryId: uuid(n),
      lines: [
        { accountId: uuid(0), amount: 1n, side: Side.DEBIT },
        { accountId: uuid(1), amount: 1n, side: Side.CREDIT },
      ],
    })),
  });

describe("POST_ENTRIES_READ_LIMIT", () => {
  it("admits the largest valid PostEntries request in protobuf and Connect JSON, with less than 1 MiB to spare", () => {
    const one = create(PostEntriesRequestSchema, { entries: [largestEntry(0)] });
    expect(validator.validate(PostEntriesRequestSchema, one).kind).toBe("valid");
    expect(validator.validate(PostEntriesRequestSchema, batchOf(1000)).kind).toBe("valid");
    expect(validator.validate(PostEntriesRequestSchema, batchOf(1001)).kind).toBe("invalid");

    // Sized from one entry rather than built (80 MB, seconds of CPU): in protobuf a batch is its
    // entries side by side, each the same size; in JSON it is one wrapper around the entries,
    // joined by commas.
    const binary = 1000 * toBinary(PostEntriesRequestSchema, one).byteLength;
    const wrapper = Buffer.byteLength('{"entries":[]}');
    const entry = Buffer.byteLength(toJsonString(PostEntriesRequestSchema, one)) - wrapper;
    const json = wrapper + 1000 * entry + 999;
    expect({ binary, json }).toEqual({ binary: 81_270_000, json: 86_565_013 });
    expect(Math.max(binary, json)).toBeLessThanOrEqual(POST_ENTRIES_READ_LIMIT.maxBytes);
    expect(POST_ENTRIES_READ_LIMIT.maxBytes - Math.max(binary, json)).toBeLessThan(1_048_576);
  });
});
