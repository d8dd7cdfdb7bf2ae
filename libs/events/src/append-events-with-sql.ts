import type { TransactionSql } from "postgres";
import type { AppendEventsOptions, OutgoingEvent } from "./append-events.js";
import { OUTBOX_CHANNEL } from "./outbox-channel.js";
import { toOutboxRows } from "./to-outbox-rows.js";

/**
 * {@link appendEvents} for code that runs its transaction on postgres.js directly (a hot
 * path where prepared statements matter): the same rows, the same notification.
 */
export async function appendEventsWithSql(
  tx: TransactionSql,
  events: readonly OutgoingEvent[],
  { channel = OUTBOX_CHANNEL }: AppendEventsOptions = {},
): Promise<string[]> {
  const rows = toOutboxRows(events);
  if (rows.ids.length === 0) return [];
  await tx`
    with appended as (
      insert into outbox (id, subject, type, payload, headers)
      select id, subject, type, decode(payload, 'base64'), headers::jsonb
      from unnest(${rows.ids}::uuid[], ${rows.subjects}::text[], ${rows.types}::text[], ${rows.payloads}::text[], ${rows.headers}::text[])
        as v(id, subject, type, payload, headers)
      returning 1
    )
    select pg_notify(${channel}, '') from (select 1) once where exists (select 1 from appended)`;
  return rows.ids;
}
