import { eq, getTableName, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { JetStreamClient, JetStreamManager } from "nats";
import type { AnyPgDatabase, TransactionOf } from "./create-consumer-runner.js";
import { processedEvents } from "./processed-events.js";
import type { ReceivedEvent } from "./received-event.js";
import { toReceivedEvent } from "./to-received-event.js";

export interface RebuildProjectionOptions<TDb extends AnyPgDatabase> {
  js: JetStreamClient;
  jsm: JetStreamManager;
  db: TDb;
  /** The stream the projection consumes. */
  stream: string;
  /** The projection's consumer name, as recorded in `processed_events`. */
  consumerName: string;
  /** The read tables the projection owns; emptied before the replay. */
  tables: PgTable[];
  /** The projection's own handler, the same one its consumer runs. */
  handler: (event: ReceivedEvent, tx: TransactionOf<TDb>) => Promise<void>;
}

/**
 * Empties a projection's read tables and replays its stream from the first message into
 * them, in one transaction: readers see the old table until the new one is complete.
 * The live consumer waits on the table locks meanwhile and afterwards finds the replayed
 * events already processed, so the two never apply an event twice.
 * Returns how many events were replayed.
 */
export async function rebuildProjection<TDb extends AnyPgDatabase>(options: RebuildProjectionOptions<TDb>): Promise<number> {
  const { state } = await options.jsm.streams.info(options.stream);
  const last = state.last_seq;
  return options.db.transaction(async (tx) => {
    const names = [getTableName(processedEvents), ...options.tables.map(getTableName)];
    await tx.execute(sql.raw(`lock table ${names.map((name) => `"${name}"`).join(", ")} in exclusive mode`));
    for (const table of options.tables) await tx.delete(table);
    await tx.delete(processedEvents).where(eq(processedEvents.consumer, options.consumerName));
    if (state.messages === 0) return 0;
    const consumer = await options.js.consumers.get(options.stream, { opt_start_seq: state.first_seq });
    let replayed = 0;
    const messages = await consumer.consume();
    try {
      for await (const msg of messages) {
        const read = toReceivedEvent(msg);
        if (read.event !== undefined) {
          await options.handler(read.event, tx as TransactionOf<TDb>);
          await tx.insert(processedEvents).values({ consumer: options.consumerName, eventId: read.event.id }).onConflictDoNothing();
          replayed++;
        }
        if (msg.seq >= last) break;
      }
    } finally {
      await messages.close();
    }
    return replayed;
  });
}
