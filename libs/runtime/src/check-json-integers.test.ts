import { fromJson } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { PostEntriesRequestSchema } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { IntegerShapesSchema } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { SetLimitPolicyRequestSchema } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkJsonIntegers } from "./check-json-integers.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The refusal's message, or undefined when the JSON passes. */
function refusal(schema: Parameters<typeof checkJsonIntegers>[0], json: unknown): string | undefined {
  try {
    checkJsonIntegers(schema, json);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    return (error as ConnectError).rawMessage;
  }
}

describe("checkJsonIntegers", () => {
  it("passes every int64 written the way protobuf-es writes it, and protobuf-es reads the same value", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), (n) => {
        const json = { signed: String(n), list: [String(n)] };
        expect(refusal(IntegerShapesSchema, json)).toBeUndefined();
        expect(fromJson(IntegerShapesSchema, json)).toMatchObject({ signed: n, list: [n] });
      }),
    );
  });

  it("refuses every other spelling of an integer protobuf-es would read", () => {
    const spellings = (n: bigint) => [
      Number(n),
      `+${n}`,
      `0${n}`,
      ` ${n}`,
      `${n} `,
      `\t${n}`,
      `${n}.0`,
      `${n}e0`,
      `0x${n.toString(16)}`,
      `0b${n.toString(2)}`,
      `0o${n.toString(8)}`,
    ];
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: INT64_MAX }), (n) => {
        for (const spelling of spellings(n))
          expect(refusal(IntegerShapesSchema, { signed: spelling }), String(spelling)).toMatch(/^signed: /);
      }),
    );
    for (const spelling of ["-0", "", " ", "1_000", "１２", "--1", "1e3", "1.5"]) {
      expect(refusal(IntegerShapesSchema, { signed: spelling }), spelling).toMatch(/^signed: must be a JSON string of decimal digits/);
    }
    for (const spelling of [true, [], {}]) expect(refusal(IntegerShapesSchema, { signed: spelling })).toMatch(/^signed: /);
  });

  it("refuses integers out of range, signed and unsigned", () => {
    expect(refusal(IntegerShapesSchema, { signed: String(INT64_MAX + 1n) })).toBe(
      "signed: must be between -9223372036854775808 and 9223372036854775807",
    );
    expect(refusal(IntegerShapesSchema, { signed: String(INT64_MIN - 1n) })).toMatch(/^signed: must be between/);
    expect(refusal(IntegerShapesSchema, { unsigned: "18446744073709551615" })).toBeUndefined();
    expect(refusal(IntegerShapesSchema, { unsigned: "18446744073709551616" })).toBe("unsigned: must be between 0 and 18446744073709551615");
    expect(refusal(IntegerShapesSchema, { unsigned: "-1" })).toMatch(/^unsigned: must be a JSON string of decimal digits/);
  });

  it("names the field wherever it sits: lists, maps (keys and values), nested messages, wrappers, either JSON name", () => {
    expect(refusal(IntegerShapesSchema, { list: ["1", "2", 3] })).toMatch(/^list\[2\]: /);
    expect(refusal(IntegerShapesSchema, { byKey: { "1": "1", "2": "02" } })).toMatch(/^by_key\["2"\]: /);
    expect(refusal(IntegerShapesSchema, { by_key: { "01": "1" } })).toMatch(/^by_key\["01"\] \(the key\): /);
    expect(refusal(IntegerShapesSchema, { nested: { nested: { unsigned: 7 } } })).toMatch(/^nested\.nested\.unsigned: /);
    expect(refusal(IntegerShapesSchema, { items: [{}, { wrapped: "+1" }] })).toMatch(/^items\[1\]\.wrapped: /);
    expect(refusal(IntegerShapesSchema, { wrapped: "9" })).toBeUndefined();
    expect(
      refusal(PostEntriesRequestSchema, {
        entries: [{ lines: [{ amount: "5" }] }, { lines: [{ amount: "5" }, { account_id: "x", amount: "5.0" }] }],
      }),
    ).toMatch(/^entries\[1\]\.lines\[1\]\.amount: /);
    expect(refusal(SetLimitPolicyRequestSchema, { policy: { currency: "USD", perTransactionMax: "1", dailyMax: 2 } })).toMatch(
      /^policy\.daily_max: /,
    );
  });

  it("leaves null, unknown fields, other types and JSON that is not an object to the reader", () => {
    expect(refusal(IntegerShapesSchema, { signed: null, list: null, unknown: 1.5, nested: null })).toBeUndefined();
    expect(refusal(SetLimitPolicyRequestSchema, { policy: { currency: 12 } })).toBeUndefined();
    for (const json of [null, 12, "12", [1]]) expect(refusal(IntegerShapesSchema, json)).toBeUndefined();
  });
});
