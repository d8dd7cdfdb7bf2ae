import { DomainError } from "./domain-error.js";

/**
 * Opaque page tokens: the position after the last row returned. Encoded so clients treat
 * them as opaque, validated so a forged one is a clear INVALID_ARGUMENT, not an SQL error.
 */
export function encodePageToken(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

export function decodePageToken<K extends string>(token: string, keys: readonly K[]): Record<K, string> | undefined {
  if (token === "") return undefined;
  try {
    const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (typeof value === "object" && value !== null && keys.every((key) => typeof (value as Record<string, unknown>)[key] === "string")) {
      return value as Record<K, string>;
    }
  } catch {
    // fall through to the error below
  }
  throw new DomainError("invalid_argument", "page_token is not one this service issued");
}
