/**
 * Codes on errors that mean the database could not be reached or went away, so the same work
 * tried again later can succeed:
 * - postgres.js's own: CONNECTION_CLOSED (the server closed the connection, e.g. at shutdown),
 *   CONNECTION_DESTROYED (dropped by a timed-out `sql.end`), CONNECTION_ENDED (the pool is
 *   closing, the instance is stopping), CONNECT_TIMEOUT;
 * - Node's socket errors: refused, reset, broken pipe, timed out, no route, DNS not answering;
 * - SQLSTATEs: 57P01 admin_shutdown ("terminating connection due to administrator command"),
 *   57P02 crash_shutdown, 57P03 cannot_connect_now ("the database system is starting up" or
 *   "is shutting down").
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "57P01",
  "57P02",
  "57P03",
]);

/**
 * Class 08, connection exception (08000, 08003, 08006, ...), except 08P01 protocol_violation:
 * that one is this client sending something malformed, which trying again only repeats.
 */
const CONNECTION_EXCEPTION = /^08(?!P01)[0-9A-Z]{3}$/;

/**
 * Whether `error` means the database is unavailable just now (restarting, failing over, out of
 * reach) rather than that the work was wrong: the answer for callers is "try again shortly",
 * never an internal error. Looks through `cause` (drizzle wraps driver errors in its own) and
 * through the attempts of an AggregateError (Node's connect tries every address of a host).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || CONNECTION_EXCEPTION.test(code))) return true;
    if (e instanceof AggregateError && e.errors.some(isDatabaseUnavailable)) return true;
  }
  return false;
}
