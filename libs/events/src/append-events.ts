import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { Context } from "@opentelemetry/api";
import { sql } from "drizzle-orm";
import type { PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { outbox } from "./outbox.js";
import { OUTBOX_CHANNEL } from "./outbox-channel.js";
import { toOutboxRows } from "./to-outbox-rows.js";

/**
 * Any drizzle Postgres transaction, whatever the service's schema. Taking a transaction (not a
 * database) makes "append inside the state change's own transaction" a type error to get wrong.
 */
// biome-ignore lint/suspicious/noExplicitAny: the schema parameters stay open, every service's transaction has its own schema type.
export type AnyPgTransaction = PgTransaction<PgQueryResultHKT, any, any>;

/** One event to append. */
export interface OutgoingEvent<Desc extends DescMessage = DescMessage> {
  /** `<prefix>.<context>.<event>`, see subjectFor. */
  subject: string;
  /** The payload's protobuf schema; its `typeName` becomes the event type. */
  schema: Desc;
  message: MessageShape<Desc>;
  /** The event id. Default: a new UUIDv7. Pass one only to make the append itself idempotent. */
  id?: string;
  /**
   * The trace this event belongs to. Default: the active context. Code that appends events
   * for several callers in one transaction (group commit) passes each caller's own.
   */
  traceContext?: Context;
}

/** Options for {@link appendEvents} and {@link appendEventsWithSql}. */
export interface AppendEventsOptions {
  /** Channel to NOTIFY; must match the relay's. Default {@link OUTBOX_CHANNEL}. */
  channel?: string;
}

/**
 * Writes events to the outbox inside the caller's transaction, so they exist if and only if the
 * state change commits. Captures the active W3C trace context into each row's headers, so the
 * consumer's span continues the trace that caused the event, and NOTIFYs the relay; Postgres
 * delivers the notification only on commit, so a rolled-back transaction wakes nobody.
 *
 * @returns the event ids, in the order given.
 */
export async function appendEvents<const T extends readonly DescMessage[]>(
  tx: AnyPgTransaction,
  events: { readonly [K in keyof T]: OutgoingEvent<T[K]> },
  { channel = OUTBOX_CHANNEL }: AppendEventsOptions = {},
): Promise<string[]> {
  const rows = toOutboxRows(events as readonly OutgoingEvent[]);
  if (rows.ids.length === 0) return [];
  // One statement with array parameters however many events there are: a multi-row
  // VALUES list costs a bind parameter per column per row and time to build, which
  // dominated large group commits.
  await tx.execute(sql`
    with appended as (
      insert into ${outbox} (id, subject, type, payload, headers)
      select id, subject, type, decode(payload, 'base64'), headers::jsonb
      from unnest(
        ${sql.param(rows.ids)}::uuid[], ${sql.param(rows.subjects)}::text[], ${sql.param(rows.types)}::text[],
        ${sql.param(rows.payloads)}::text[], ${sql.param(rows.headers)}::text[]
      ) as v(id, subject, type, payload, headers)
      returning 1
    )
    select pg_notify(${channel}, '') from (select 1) once where exists (select 1 from appended)`);
  return rows.ids;
}
