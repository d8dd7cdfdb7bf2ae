import { trace } from "@opentelemetry/api";
import { decodeEvent, type ReceivedEvent } from "@paymesh/events";
import { TransferCompletedSchema, TransferFailedSchema, TransferInitiatedSchema } from "@paymesh/gen/paymesh/transfers/v1/events_pb";
import type { Transfer } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { sql } from "drizzle-orm";
import { transferHistory } from "./schema.js";
import { fromTransfer } from "./to-proto.js";
import type { TransfersTransaction } from "./transfers-database.js";

/** The durable consumer (and processed-events name) of the history projection. */
export const HISTORY_PROJECTION = "transfer-history";

const SCHEMAS = [TransferInitiatedSchema, TransferCompletedSchema, TransferFailedSchema];

/**
 * Applies one transfer event to the history read table: the transfer as of the event, once for
 * its payer and once for its payee. A settled row is final, so a late or replayed TransferInitiated
 * never turns a COMPLETED or FAILED row back; events of other types are ignored.
 */
export async function applyHistoryEvent(event: ReceivedEvent, tx: TransfersTransaction): Promise<void> {
  const schema = SCHEMAS.find((candidate) => candidate.typeName === event.type);
  if (schema === undefined) return;
  const { transfer } = decodeEvent(event, schema) as { transfer?: Transfer };
  if (transfer === undefined) throw new Error(`event ${event.id} carries no transfer`);
  // The handler runs in the consumer's span, which continues the trace the event was appended in.
  const traceId = trace.getActiveSpan()?.spanContext().traceId ?? null;
  const fields = { ...fromTransfer(transfer), traceId };
  const participants = [...new Set([transfer.payer, transfer.payee].filter((subject) => subject !== ""))];
  await tx
    .insert(transferHistory)
    .values(participants.map((participant) => ({ participant, ...fields })))
    .onConflictDoUpdate({
      target: [transferHistory.participant, transferHistory.transferId],
      set: {
        status: sql`excluded.status`,
        failureReason: sql`excluded.failure_reason`,
        failureMessage: sql`excluded.failure_message`,
        updatedAt: sql`excluded.updated_at`,
        traceId: sql`excluded.trace_id`,
      },
      setWhere: sql`${transferHistory.status} = 'initiated'`,
    });
}
