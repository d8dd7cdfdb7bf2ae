import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DomainError } from "./domain-error.js";
import { type Cursor, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type PageRequestOptions, readPageRequest, toPage } from "./keyset-page.js";

const SHAPE = { at: "timestamp", id: "uuid", sequence: "int64", name: "text" } as const;
type Row = Cursor<typeof SHAPE>;

const options: PageRequestOptions<typeof SHAPE> = { list: "test.ListRows", filters: ["alice"], cursor: SHAPE };
const row = (n: number): Row => ({
  at: new Date(Date.UTC(2025, 0, 1, 0, 0, n)),
  id: `0190a000-0000-7000-8000-${String(n).padStart(12, "0")}`,
  sequence: BigInt(n),
  name: `@row_${n}`,
});
const rows = (count: number) => Array.from({ length: count }, (_, i) => row(i + 1));

/** The token a first page of `size` over `count` rows hands out. */
const tokenAfter = (size: number, count: number, listOptions = options) =>
  toPage(rows(count), readPageRequest({ pageSize: size, pageToken: "" }, listOptions), (r) => r).nextPageToken;

const refusal = (pageToken: string, listOptions = options) => {
  try {
    readPageRequest({ pageSize: 0, pageToken }, listOptions);
  } catch (error) {
    return error;
  }
  throw new Error("expected the token to be refused");
};

describe("readPageRequest", () => {
  it("reads 0 as the default size and fetches one row more than it returns", () => {
    expect(readPageRequest({ pageSize: 0, pageToken: "" }, options)).toMatchObject({
      size: DEFAULT_PAGE_SIZE,
      limit: DEFAULT_PAGE_SIZE + 1,
    });
    expect(readPageRequest({ pageSize: 1, pageToken: "" }, options)).toMatchObject({ size: 1, limit: 2, after: undefined });
    expect(readPageRequest({ pageSize: MAX_PAGE_SIZE, pageToken: "" }, options).size).toBe(MAX_PAGE_SIZE);
  });

  it.each([MAX_PAGE_SIZE + 1, -1, 2.5])("refuses page_size %d as INVALID_ARGUMENT", (pageSize) => {
    expect(() => readPageRequest({ pageSize, pageToken: "" }, options)).toThrow(
      expect.objectContaining({ kind: "invalid_argument", message: expect.stringMatching(/page_size/) }),
    );
  });

  it("continues after the last row of the previous page, every field typed as it was", () => {
    const token = tokenAfter(2, 5);
    expect(token).not.toBe("");
    expect(readPageRequest({ pageSize: 2, pageToken: token }, options).after).toEqual(row(2));
  });

  it("round-trips any sort key", () => {
    const cursor = fc.record({
      at: fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true }),
      id: fc.uuid(),
      sequence: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      name: fc.string({ unit: "binary" }).filter((name) => !name.includes("\0")),
    });
    fc.assert(
      fc.property(cursor, (last) => {
        const request = readPageRequest({ pageSize: 1, pageToken: "" }, options);
        const { nextPageToken } = toPage([last, row(9)], request, (r) => r);
        expect(readPageRequest({ pageSize: 1, pageToken: nextPageToken }, options).after).toEqual(last);
      }),
    );
  });

  it.each([
    ["garbage", "forged"],
    ["not base64url", "!!!!"],
    ["not JSON", Buffer.from("{nope").toString("base64url")],
    ["not an array", Buffer.from('{"id":"x"}').toString("base64url")],
  ])("refuses a token that is %s as INVALID_ARGUMENT", (_, token) => {
    const error = refusal(token);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: "invalid_argument", message: "page_token is not one this service issued" });
  });

  it("refuses a token re-encoded with characters base64url decoding would skip", () => {
    const token = tokenAfter(2, 5);
    expect(refusal(`${token.slice(0, 4)}.${token.slice(4)}`)).toMatchObject({ kind: "invalid_argument" });
  });

  /** A token with our binding but `values` as its cursor: what a forger who read this code could make. */
  const forged = (values: unknown[]) => {
    const [binding] = JSON.parse(Buffer.from(tokenAfter(1, 2), "base64url").toString()) as string[];
    return Buffer.from(JSON.stringify([binding, ...values])).toString("base64url");
  };
  const good = ["2025-01-01T00:00:01.000Z", "0190a000-0000-7000-8000-000000000001", "1", "@row_1"];

  it("accepts a hand-made token whose values have the right form", () => {
    expect(readPageRequest({ pageSize: 0, pageToken: forged(good) }, options).after).toEqual(row(1));
  });

  it.each([
    ["too few fields", good.slice(0, 3)],
    ["too many fields", [...good, "x"]],
    ["a number where strings go", [good[0], good[1], 1, good[3]]],
    ["a timestamp that is not ISO", ["2025-01-01", ...good.slice(1)]],
    ["an impossible timestamp", ["2025-02-30T00:00:00.000Z", ...good.slice(1)]],
    ["year 0, which Postgres lacks", ["0000-01-01T00:00:00.000Z", ...good.slice(1)]],
    ["a uuid that is not one", [good[0], "' or 1=1 --", ...good.slice(2)]],
    ["an upper-case uuid", [good[0], good[1]!.toUpperCase(), ...good.slice(2)]],
    ["an int64 that is not a number", [good[0], good[1], "1e3", good[3]]],
    ["an int64 out of range", [good[0], good[1], "9223372036854775808", good[3]]],
    ["a non-canonical int64", [good[0], good[1], "01", good[3]]],
    ["text with NUL, which Postgres text cannot hold", [...good.slice(0, 3), "a\u0000b"]],
  ])("refuses a token with %s, before any query", (_, values) => {
    expect(refusal(forged(values))).toMatchObject({ kind: "invalid_argument", message: "page_token is not one this service issued" });
  });

  it("refuses a token from another list or other filters", () => {
    const token = tokenAfter(2, 5);
    for (const other of [
      { ...options, list: "test.ListOthers" },
      { ...options, filters: ["bob"] },
      { ...options, filters: ["alice", ""] },
    ]) {
      expect(refusal(token, other)).toMatchObject({
        kind: "invalid_argument",
        message: expect.stringMatching(/another list or other filters/),
      });
    }
  });
});

describe("toPage", () => {
  const request = (pageSize: number) => readPageRequest({ pageSize, pageToken: "" }, options);

  it("returns at most size items and a token only when a row beyond them came back", () => {
    expect(toPage(rows(3), request(2), (r) => r)).toMatchObject({ items: rows(2) });
    expect(toPage(rows(3), request(2), (r) => r).nextPageToken).not.toBe("");
    expect(toPage(rows(2), request(2), (r) => r)).toEqual({ items: rows(2), nextPageToken: "" });
    expect(toPage([], request(2), (r) => r)).toEqual({ items: [], nextPageToken: "" });
  });

  it("pages through everything exactly once", () => {
    const all = rows(7);
    const seen: Row[] = [];
    let pageToken = "";
    do {
      const page = readPageRequest({ pageSize: 3, pageToken }, options);
      const after = page.after;
      const fetched = all.filter((r) => after === undefined || r.sequence > after.sequence).slice(0, page.limit);
      const { items, nextPageToken } = toPage(fetched, page, (r) => r);
      seen.push(...items);
      pageToken = nextPageToken;
    } while (pageToken !== "");
    expect(seen).toEqual(all);
  });

  it("keeps tokens within the 256 characters page_token fields accept, for the widest sort key in use", () => {
    const longest = { ...row(1), name: `@${"x".repeat(30)}` };
    const { nextPageToken } = toPage([longest, row(2)], request(1), (r) => r);
    expect(nextPageToken.length).toBeLessThanOrEqual(256);
  });
});
