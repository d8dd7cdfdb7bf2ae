import { toBinary } from "@bufbuild/protobuf";
import { context, propagation } from "@opentelemetry/api";
import { v7 as uuidv7 } from "uuid";
import type { OutgoingEvent } from "./append-events.js";

/** NATS subjects we publish on: dot-separated tokens, no wildcards, no whitespace. */
const PUBLISHABLE_SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;

/** Outbox rows as parallel columns, ready to insert with one `unnest` statement. */
export interface OutboxColumns {
  ids: string[];
  subjects: string[];
  types: string[];
  /** Base64 payloads: text arrays bind the same way through every driver path. */
  payloads: string[];
  /** JSON headers, each with the trace context its event belongs to. */
  headers: string[];
}

export function toOutboxRows(events: readonly OutgoingEvent[]): OutboxColumns {
  const columns: OutboxColumns = { ids: [], subjects: [], types: [], payloads: [], headers: [] };
  let active: string | undefined;
  for (const event of events) {
    if (!PUBLISHABLE_SUBJECT.test(event.subject)) throw new Error(`invalid event subject ${JSON.stringify(event.subject)}`);
    let headers: string;
    if (event.traceContext === undefined) {
      if (active === undefined) {
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        active = JSON.stringify(carrier);
      }
      headers = active;
    } else {
      const carrier: Record<string, string> = {};
      propagation.inject(event.traceContext, carrier);
      headers = JSON.stringify(carrier);
    }
    columns.ids.push(event.id ?? uuidv7());
    columns.subjects.push(event.subject);
    columns.types.push(event.schema.typeName);
    columns.payloads.push(Buffer.from(toBinary(event.schema, event.message)).toString("base64"));
    columns.headers.push(headers);
  }
  return columns;
}
