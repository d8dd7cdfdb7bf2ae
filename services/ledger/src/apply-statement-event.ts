import { timestampDate } from "@bufbuild/protobuf/wkt";
import { arrayColumns } from "@paymesh/db";
import { decodeEvent, type ReceivedEvent } from "@paymesh/events";
import { EntryPostedSchema, PendingPostedSchema, type PostedLine } from "@paymesh/gen/paymesh/ledger/v1/events_pb";
import type { Entry } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { sql } from "drizzle-orm";
import type { LedgerTransaction } from "./ledger-database.js";
import { statementLines } from "./schema.js";
import { fromSide } from "./to-proto.js";

/** The durable consumer (and processed-events name) of the statement projection. */
export const STATEMENT_PROJECTION = "statement-projection";

/** Applies one ledger event to the statement read table; see {@link applyStatementEvents}. */
export function applyStatementEvent(event: ReceivedEvent, tx: LedgerTransaction): Promise<void> {
  return applyStatementEvents([event], tx);
}

/**
 * Applies ledger events to the statement read table in one statement. Each line carries the
 * balance the ledger computed under its lock, so the table is right whatever order events arrive
 * in; rows are keyed by (account, sequence), so replaying an event changes nothing.
 */
export async function applyStatementEvents(events: ReceivedEvent[], tx: LedgerTransaction): Promise<void> {
  const lines = events.flatMap((event) => {
    const effect = postingEffect(event);
    return (effect?.posted ?? []).map((line) => ({ line, ...effect! }));
  });
  if (lines.length === 0) return;
  const column = arrayColumns(lines);
  await tx.execute(sql`
    insert into ${statementLines} (account_id, sequence, entry_id, line_index, amount, side, balance_after, posted_at, memo)
    select * from unnest(
      ${column(({ line }) => line.accountId)}::uuid[], ${column(({ line }) => line.sequence.toString())}::bigint[],
      ${column(({ entry }) => entry.entryId)}::uuid[], ${column(({ line }) => line.lineIndex)}::int[],
      ${column(({ line }) => line.amount.toString())}::bigint[], ${column(({ line }) => fromSide(line.side))}::text[],
      ${column(({ line }) => line.balanceAfter.toString())}::bigint[],
      ${column(({ postedAt }) => postedAt.toISOString())}::text[]::timestamptz[], ${column(({ entry }) => entry.memo)}::text[]
    )
    on conflict do nothing`);
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
