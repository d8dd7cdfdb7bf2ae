import { createHash } from "node:crypto";
import { DomainError } from "./domain-error.js";

/**
 * Page size when a request leaves page_size at 0: a screenful in a person's app, the common
 * caller, so the first page of any list answers fast without the client choosing.
 */
export const DEFAULT_PAGE_SIZE = 50;

/**
 * The largest page any List RPC serves. Large enough that batch readers (exports, statement
 * downloads) need few round trips, small enough that one page is one short index range scan
 * and a response stays in the hundreds of kilobytes. Every `page_size` field in proto/ carries
 * the same bound (`uint32.lte = 500`); this check holds it for callers that skip validation.
 */
export const MAX_PAGE_SIZE = 500;

/**
 * How one sort-key column travels in a token. Decoding checks each value's form, so what
 * reaches the query always binds as its column's type: a forged token cannot cause an SQL error.
 */
export type CursorFieldType = "text" | "uuid" | "int64" | "timestamp";

interface CursorFieldValues {
  text: string;
  uuid: string;
  int64: bigint;
  timestamp: Date;
}

/** A list's sort key: column names to their types, in sort order. */
export type CursorShape = Readonly<Record<string, CursorFieldType>>;

/** One position in a list: the sort key of the row a page ended with. */
export type Cursor<S extends CursorShape> = { -readonly [K in keyof S]: CursorFieldValues[S[K]] };

export interface PageRequestOptions<S extends CursorShape> {
  /** Names the list, e.g. `ledger.ListStatement`, so another list's token is refused. */
  list: string;
  /**
   * Everything besides paging that selects the rows (the account id, the caller, a time range),
   * as strings. A token only continues the query it came from: used with other filters, it is
   * refused rather than silently skipping or repeating rows.
   */
  filters: readonly string[];
  /** The sort key the query orders by, which every token carries the last row's value of. */
  cursor: S;
}

/** What a List handler queries: `limit` rows after `after`, in the list's order. */
export interface PageRequest<S extends CursorShape> {
  /** Rows the page returns at most. */
  readonly size: number;
  /** Rows to fetch: one more than `size`, so whether the extra row came back tells if a next page exists, without a count. */
  readonly limit: number;
  /** The sort key to continue after; undefined on the first page. */
  readonly after: Cursor<S> | undefined;
  /** The digest of list and filters that this request's next token carries. */
  readonly binding: string;
  /** The sort key's shape, to encode the next token with. */
  readonly cursor: S;
}

export interface Page<R> {
  items: R[];
  /** Empty on the last page. */
  nextPageToken: string;
}

/**
 * Reads a List request's page_size (0 → DEFAULT_PAGE_SIZE) and page_token. A token that is not
 * one we issue, or one issued for another list or other filters, is INVALID_ARGUMENT.
 */
export function readPageRequest<S extends CursorShape>(
  request: { pageSize: number; pageToken: string },
  options: PageRequestOptions<S>,
): PageRequest<S> {
  const size = pageSizeOf(request.pageSize);
  const binding = bindingOf(options.list, options.filters);
  const after = request.pageToken === "" ? undefined : decodeCursor(request.pageToken, binding, options.cursor);
  return { size, limit: size + 1, after, binding, cursor: options.cursor };
}

/** Cuts the rows fetched for `request` into a page, with the token for the next one if there are more. */
export function toPage<R, S extends CursorShape>(rows: readonly R[], request: PageRequest<S>, cursorOf: (row: R) => Cursor<S>): Page<R> {
  const items = rows.slice(0, request.size);
  const last = items[items.length - 1];
  if (rows.length <= request.size || last === undefined) return { items, nextPageToken: "" };
  return { items, nextPageToken: encodeCursor(request, cursorOf(last)) };
}

function pageSizeOf(pageSize: number): number {
  if (pageSize === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE) {
    throw new DomainError("invalid_argument", `page_size must be 0 to ${MAX_PAGE_SIZE}; 0 means ${DEFAULT_PAGE_SIZE}`);
  }
  return pageSize;
}

/**
 * A short digest of the list and its filters. Not a signature: a hand-made token can only move
 * the position within rows the caller may see anyway, since every query filters by the caller.
 * The digest keeps tokens short whatever the filters are, and does not echo them.
 */
function bindingOf(list: string, filters: readonly string[]): string {
  return createHash("sha256")
    .update(JSON.stringify([list, ...filters]))
    .digest()
    .subarray(0, 12)
    .toString("base64url");
}

function encodeCursor<S extends CursorShape>(request: PageRequest<S>, cursor: Cursor<S>): string {
  const values = Object.entries(request.cursor).map(([name, type]) => encodeField(type, cursor[name]!));
  return Buffer.from(JSON.stringify([request.binding, ...values])).toString("base64url");
}

function decodeCursor<S extends CursorShape>(token: string, binding: string, shape: S): Cursor<S> {
  const fields = Object.entries(shape);
  const parts = parseToken(token);
  if (parts === undefined || parts.length !== fields.length + 1) throw notIssued();
  if (parts[0] !== binding) {
    throw new DomainError(
      "invalid_argument",
      "page_token belongs to another list or other filters; send the request it came from unchanged",
    );
  }
  const cursor: Record<string, CursorFieldValues[CursorFieldType]> = {};
  for (const [index, [name, type]] of fields.entries()) {
    const value = decodeField(type, parts[index + 1]!);
    if (value === undefined) throw notIssued();
    cursor[name] = value;
  }
  return cursor as Cursor<S>;
}

/** The token's strings, or undefined unless it is exactly the base64url of a JSON array of strings. */
function parseToken(token: string): string[] | undefined {
  const json = Buffer.from(token, "base64url").toString("utf8");
  // base64url decoding skips characters it does not know: only a canonical encoding is ours.
  if (Buffer.from(json).toString("base64url") !== token) return undefined;
  try {
    const parts = JSON.parse(json) as unknown;
    return Array.isArray(parts) && parts.every((part) => typeof part === "string") ? parts : undefined;
  } catch {
    return undefined;
  }
}

function notIssued(): DomainError {
  return new DomainError("invalid_argument", "page_token is not one this service issued");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INT64 = /^(0|-?[1-9][0-9]{0,18})$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const ISO_MILLIS = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;

function encodeField(type: CursorFieldType, value: CursorFieldValues[CursorFieldType]): string {
  switch (type) {
    case "text":
      return value as string;
    case "uuid":
      return (value as string).toLowerCase();
    case "int64":
      return (value as bigint).toString();
    case "timestamp":
      return (value as Date).toISOString();
  }
}

function decodeField(type: CursorFieldType, value: string): CursorFieldValues[CursorFieldType] | undefined {
  switch (type) {
    case "text":
      // Postgres text cannot hold NUL: such a value would fail the query instead of the token.
      return value.includes("\0") ? undefined : value;
    case "uuid":
      return UUID.test(value) ? value : undefined;
    case "int64": {
      if (!INT64.test(value)) return undefined;
      const number = BigInt(value);
      return number >= INT64_MIN && number <= INT64_MAX ? number : undefined;
    }
    case "timestamp": {
      // Only what toISOString makes from a stored time: Postgres has no year 0, and other
      // forms Date accepts (offsets, missing fields) would not round-trip.
      if (!ISO_MILLIS.test(value) || value.startsWith("0000")) return undefined;
      const date = new Date(value);
      return !Number.isNaN(date.getTime()) && date.toISOString() === value ? date : undefined;
    }
  }
}
