import type { Sql } from "postgres";

/** Options for {@link pruneEventTables}. */
export interface PruneEventTablesOptions {
  /**
   * Published outbox rows whose `published_at` is at least this old are deleted, in
   * milliseconds. Unpublished rows are never deleted, however old: they are events the relay
   * still owes the stream. No default: a service's events decide (see loadConfig's retention).
   */
  outboxRetentionMs: number;
  /**
   * `processed_events` rows whose `processed_at` is at least this old are deleted, in
   * milliseconds. A row is what makes a consumer skip a second delivery of its event, so it
   * must outlive every way that event can come again; see loadConfig's retention. No default.
   */
  processedEventsRetentionMs: number;
  /**
   * Rows deleted per statement. Default 1000: each statement is its own short transaction,
   * so a backlog of millions never holds locks or bloats one transaction, and a batch finds
   * its rows with one scan.
   */
  batchSize?: number;
  /**
   * Statements per table per call. Default 100 (100 000 rows at the default batch size): a
   * call over a huge backlog still ends within seconds, so the worker running it stops
   * promptly; the next call continues where this one stopped.
   */
  maxBatches?: number;
}

/** Rows deleted by one call, per table. */
export interface PrunedEventRows {
  outbox: number;
  processedEvents: number;
}

/**
 * Deletes what the event tables no longer need: outbox rows JetStream acknowledged long ago
 * (the stream keeps the events; the rows were only the way there) and `processed_events`
 * rows old enough that their event cannot be delivered again. Safe on every instance at
 * once: rows another instance is deleting are skipped, not waited for.
 */
export async function pruneEventTables(sql: Sql, options: PruneEventTablesOptions): Promise<PrunedEventRows> {
  const batchSize = options.batchSize ?? 1000;
  const maxBatches = options.maxBatches ?? 100;
  const outboxAge = options.outboxRetentionMs / 1000;
  const processedAge = options.processedEventsRetentionMs / 1000;
  const outbox = await inBatches(maxBatches, batchSize, async () => {
    const result = await sql`
      delete from outbox where id in (
        select id from outbox
        where published_at is not null and published_at <= now() - make_interval(secs => ${outboxAge})
        limit ${batchSize}
        for update skip locked)`;
    return result.count;
  });
  const processedEvents = await inBatches(maxBatches, batchSize, async () => {
    const result = await sql`
      delete from processed_events where (consumer, event_id) in (
        select consumer, event_id from processed_events
        where processed_at <= now() - make_interval(secs => ${processedAge})
        limit ${batchSize}
        for update skip locked)`;
    return result.count;
  });
  return { outbox, processedEvents };
}

/** Runs `deleteBatch` until one comes back short (nothing more is due) or `maxBatches` ran. */
async function inBatches(maxBatches: number, batchSize: number, deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < batchSize) break;
  }
  return total;
}
