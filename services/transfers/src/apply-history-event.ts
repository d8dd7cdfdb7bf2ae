import { propagation, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { arrayColumns } from "@paymesh/db";
import { decodeEvent, type ReceivedEvent } from "@paymesh/events";
import { TransferCompletedSchema, TransferFailedSchema, TransferInitiatedSchema } from "@paymesh/gen/paymesh/transfers/v1/events_pb";
import type { Transfer } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { sql } from "drizzle-orm";
import { transferHistory } from "./schema.js";
import { fromTransfer } from "./to-proto.js";
import type { HistoryRow, TransfersTransaction } from "./transfers-database.js";

/** The durable consumer (and processed-events name) of the history projection. */
export const HISTORY_PROJECTION = "transfer-history";

const SCHEMAS = [TransferInitiatedSchema, TransferCompletedSchema, TransferFailedSchema];

/** Applies one transfer event to the history read table; see {@link applyHistoryEvents}. */
export function applyHistoryEvent(event: ReceivedEvent, tx: TransfersTransaction): Promise<void> {
  return applyHistoryEvents([event], tx);
}

/**
 * Applies transfer events, in stream order, to the history read table in one statement: each
 * transfer as of its events, once for its payer and once for its payee. A settled row is final,
 * so a late or replayed TransferInitiated never turns a COMPLETED or FAILED row back; events of
 * other types are ignored.
 */
export async function applyHistoryEvents(events: ReceivedEvent[], tx: TransfersTransaction): Promise<void> {
  // A statement may write a row once: the group's last word on each row, settled beating initiated.
  const rows = new Map<string, HistoryRow>();
  for (const event of events) {
    const schema = SCHEMAS.find((candidate) => candidate.typeName === event.type);
    if (schema === undefined) continue;
    const { transfer } = decodeEvent(event, schema) as { transfer?: Transfer };
    if (transfer === undefined) throw new Error(`event ${event.id} carries no transfer`);
    // The trace the event was appended in, which the consumer's span continues.
    const traceId = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, event.headers))?.traceId ?? null;
    const fields = { ...fromTransfer(transfer), traceId };
    for (const participant of new Set([transfer.payer, transfer.payee].filter((subject) => subject !== ""))) {
      const key = `${participant}\0${transfer.id}`;
      const earlier = rows.get(key);
      if (earlier !== undefined && earlier.status !== "initiated" && fields.status === "initiated") continue;
      rows.set(key, { participant, ...fields });
    }
  }
  if (rows.size === 0) return;
  const all = [...rows.values()];
  const column = arrayColumns(all);
  await tx.execute(sql`
    insert into ${transferHistory} (
      participant, transfer_id, from_account_id, to_account_id, to_handle, amount, currency, memo, status,
      failure_reason, failure_message, entry_id, payer, payee, payee_masked_display_name, created_at, updated_at, trace_id
    )
    select * from unnest(
      ${column((r) => r.participant)}::text[], ${column((r) => r.transferId)}::uuid[],
      ${column((r) => r.fromAccountId)}::uuid[], ${column((r) => r.toAccountId)}::uuid[],
      ${column((r) => r.toHandle)}::text[], ${column((r) => r.amount.toString())}::bigint[],
      ${column((r) => r.currency)}::text[], ${column((r) => r.memo)}::text[], ${column((r) => r.status)}::text[],
      ${column((r) => r.failureReason)}::text[], ${column((r) => r.failureMessage)}::text[],
      ${column((r) => r.entryId)}::uuid[], ${column((r) => r.payer)}::text[], ${column((r) => r.payee)}::text[],
      ${column((r) => r.payeeMaskedDisplayName)}::text[], ${column((r) => r.createdAt.toISOString())}::text[]::timestamptz[],
      ${column((r) => r.updatedAt.toISOString())}::text[]::timestamptz[], ${column((r) => r.traceId)}::text[]
    )
    on conflict (participant, transfer_id) do update set
      status = excluded.status,
      failure_reason = excluded.failure_reason,
      failure_message = excluded.failure_message,
      updated_at = excluded.updated_at,
      trace_id = excluded.trace_id
    where ${transferHistory}.status = 'initiated'`);
}
