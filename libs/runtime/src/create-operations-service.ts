import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs, timestampNow } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  ConsumerHealthSchema,
  type OperationsService,
  OutboxHealthSchema,
  ParkedEventCountSchema,
  ParkedEventSchema,
} from "@paymesh/gen/paymesh/operations/v1/operations_pb";
import type { Sql } from "postgres";
import type { EventHealthReader } from "./create-event-health-reader.js";
import { readPageRequest, toPage } from "./keyset-page.js";
import { requireRole } from "./principal.js";

export interface OperationsServiceOptions {
  /** The service answering, e.g. `ledger`. */
  service: string;
  /** Its database, holding its `parked_events`. */
  sql: Sql;
  reader: EventHealthReader;
}

interface ParkedEventRow {
  id: string;
  consumer: string;
  event_id: string | null;
  stream: string;
  stream_sequence: string;
  subject: string;
  type: string | null;
  error: string;
  deliveries: number;
  parked_at_ms: number;
  payload_size: number;
}

/** The operations RPCs every service serves about its own events; operators only. */
export function createOperationsService({ service, sql, reader }: OperationsServiceOptions): ServiceImpl<typeof OperationsService> {
  return {
    async getEventHealth(_req, ctx) {
      requireRole(ctx, "operator");
      const readTime = timestampNow();
      const [outbox, parked, consumers] = await Promise.all([reader.outbox(), reader.parked(), reader.consumers()]);
      return {
        service,
        outbox: create(OutboxHealthSchema, {
          pendingEvents: BigInt(outbox.pending),
          oldestPendingAge: outbox.pending === 0 ? undefined : durationFromMs(Math.max(0, Math.round(outbox.oldestAgeSeconds * 1000))),
        }),
        parked: parked.map((row) => create(ParkedEventCountSchema, { consumer: row.consumer, parkedEvents: BigInt(row.parked) })),
        consumers: consumers.map((lag) =>
          create(ConsumerHealthSchema, {
            stream: lag.stream,
            durable: lag.durable,
            ...(lag.known
              ? { lag: { numPending: BigInt(lag.pending), numAckPending: BigInt(lag.ackPending) } }
              : { lagUnknownReason: lag.reason }),
          }),
        ),
        readTime,
      };
    },

    async listParkedEvents(req, ctx) {
      requireRole(ctx, "operator");
      const page = readPageRequest(req, { list: "operations.ListParkedEvents", filters: [req.consumer], cursor: { id: "uuid" } });
      // The time as a number: Drizzle, sharing this pool, turns off postgres.js's timestamp parsing.
      // Newest first by id (UUIDv7, given when an event is first parked), which a row parked
      // again keeps: a page boundary never moves under a reader.
      const rows = await sql<ParkedEventRow[]>`
        select id, consumer, event_id, stream, stream_sequence::text as stream_sequence, subject, type, error, deliveries,
               extract(epoch from parked_at)::float8 * 1000 as parked_at_ms, octet_length(payload) as payload_size
          from parked_events
         where true ${req.consumer === "" ? sql`` : sql`and consumer = ${req.consumer}`}
               ${page.after === undefined ? sql`` : sql`and id < ${page.after.id}`}
         order by id desc
         limit ${page.limit}`;
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ id: row.id }));
      return {
        parkedEvents: items.map((row) =>
          create(ParkedEventSchema, {
            id: row.id,
            consumer: row.consumer,
            eventId: row.event_id ?? "",
            stream: row.stream,
            streamSequence: BigInt(row.stream_sequence),
            subject: row.subject,
            type: row.type ?? "",
            error: row.error,
            deliveries: row.deliveries,
            parkTime: timestampFromMs(Math.floor(row.parked_at_ms)),
            payloadSize: row.payload_size,
          }),
        ),
        nextPageToken,
      };
    },
  };
}
