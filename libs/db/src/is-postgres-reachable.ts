import postgres from "postgres";
import { ignoreNotice } from "./ignore-notice.js";

/** Options for {@link isPostgresReachable}. */
export interface IsPostgresReachableOptions {
  /**
   * How long to wait for a connection and `select 1`, in milliseconds. Default 2000: long
   * enough for a loaded local server, short enough that a readiness probe answers before the
   * orchestrator's own probe timeout (commonly 3-5 s).
   */
  timeoutMs?: number;
}

/**
 * Readiness probe: opens one short-lived connection to `url` and runs `select 1`. Never throws;
 * a refused connection, bad credentials, a missing database or a timeout all answer false.
 */
export async function isPostgresReachable(url: string, { timeoutMs = 2000 }: IsPostgresReachableOptions = {}): Promise<boolean> {
  const sql = postgres(url, {
    max: 1,
    connect_timeout: timeoutMs / 1000,
    onnotice: ignoreNotice,
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      sql`select 1`.then(
        () => true,
        () => false,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
    await sql.end({ timeout: 0 });
  }
}
