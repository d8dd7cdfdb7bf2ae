import type { Worker } from "@paymesh/runtime";
import type { Logger } from "pino";
import type { Sql } from "postgres";

export interface OutboxPrunerOptions {
  sql: Sql;
  logger: Logger;
  /** Published rows older than this are deleted. */
  retentionMs: number;
  intervalMs: number;
}

/**
 * Deletes published outbox rows after a short retention. The handles events carry the account
 * id and owner in the clear (their consumers need them), so keeping published rows would leave
 * the plaintext that the `handles` table encrypts sitting beside it in the same database.
 * Unpublished rows are never touched; the relay sets `published_at` in the transaction that
 * publishes, so a row the relay holds is not yet eligible.
 */
export function createOutboxPruner({
  sql,
  logger,
  retentionMs,
  intervalMs,
}: OutboxPrunerOptions): Worker & { pruneOnce(): Promise<number> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const pruneOnce = async () => {
    const result = await sql`
      delete from outbox
      where published_at is not null and published_at <= now() - make_interval(secs => ${retentionMs / 1000})`;
    return result.count;
  };
  const tick = () => {
    running = pruneOnce()
      .catch((error: unknown) => logger.warn({ err: error }, "could not prune published outbox rows"))
      .finally(() => {
        if (timer !== undefined) timer = setTimeout(tick, intervalMs);
      });
  };
  return {
    name: "outbox-pruner",
    pruneOnce,
    async start() {
      timer = setTimeout(tick, intervalMs);
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
