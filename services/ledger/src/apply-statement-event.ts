import { timestampDate } from "@bufbuild/protobuf/wkt";
import { decodeEvent, type ReceivedEvent } from "@paymesh/events";
import { EntryPostedSchema, PendingPostedSchema, type PostedLine } from "@paymesh/gen/paymesh/ledger/v1/events_pb";
import type { Entry } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import type { LedgerTransaction } from "./ledger-database.js";
import { statementLines } from "./schema.js";
import { fromSide } from "./to-proto.js";

/** The durable consumer (and processed-events name) of the statement projection. */
export const STATEMENT_PROJECTION = "statement-projection";

/**
 * Applies one ledger event to the statement read table. Each line carries the balance the
 * ledger computed under its lock, so the table is right whatever order events arrive in;
 * rows are keyed by (account, sequence), so replaying an event changes nothing.
 */
export async function applyStatementEvent(event: ReceivedEvent, tx: LedgerTransaction): Promise<void> {
  const effect = postingEffect(event);
  if (effect === undefined || effect.posted.length === 0) return;
  await tx
    .insert(statementLines)
    .values(
      effect.posted.map((line) => ({
        accountId: line.accountId,
        sequence: line.sequence,
        entryId: effect.entry.entryId,
        lineIndex: line.lineIndex,
        amount: line.amount,
        side: fromSide(line.side),
        balanceAfter: line.balanceAfter,
        postedAt: effect.postedAt,
        memo: effect.entry.memo,
      })),
    )
    .onConflictDoNothing();
}

function postingEffect(event: ReceivedEvent): { entry: Entry; posted: PostedLine[]; postedAt: Date } | undefined {
  if (event.type === EntryPostedSchema.typeName) {
    const { entry, posted } = decodeEvent(event, EntryPostedSchema);
    return entry && { entry, posted, postedAt: timestampDate(entry.createTime!) };
  }
  if (event.type === PendingPostedSchema.typeName) {
    const { entry, posted, postTime } = decodeEvent(event, PendingPostedSchema);
    return entry && { entry, posted, postedAt: timestampDate(postTime!) };
  }
  return undefined;
}
