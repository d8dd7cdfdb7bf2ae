import { propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { type JetStreamClient, headers as natsHeaders } from "nats";
import { type Logger, pino } from "pino";
import type { Sql } from "postgres";
import { countPendingEvents } from "./count-pending-events.js";
import { createWakeSignal } from "./create-wake-signal.js";
import { EventHeaders } from "./event-headers.js";
import { OUTBOX_CHANNEL } from "./outbox-channel.js";

/** Options for {@link createOutboxRelay}. */
export interface OutboxRelayOptions {
  /** postgres.js client of the service's database (the one holding its `outbox` table). */
  sql: Sql;
  /** JetStream client to publish with; its connection should reconnect forever (the relay never gives up). */
  js: JetStreamClient;
  /** Default: a pino logger named `outbox-relay` writing JSON to stdout. */
  logger?: Logger;
  /**
   * Rows claimed and published per transaction. Default 500: the publishes are pipelined,
   * so a batch costs about one round trip to NATS plus one commit; big enough to keep up
   * with a group-committing ledger, small enough that row locks and a stop() stay short.
   */
  batchSize?: number;
  /**
   * Fallback poll, in milliseconds, for a notification that never arrived (the LISTEN
   * connection was down when the append committed). Default 1000: at most a second of extra
   * latency in that rare case, one cheap indexed query per second otherwise.
   */
  pollIntervalMs?: number;
  /**
   * How long to wait for a PubAck, in milliseconds. Default 5000: ample for a healthy server
   * (acks take well under a millisecond locally), short enough that an unreachable one is
   * noticed and the row locks released promptly.
   */
  publishTimeoutMs?: number;
  /** First retry delay after a failed batch, in milliseconds. Default 100: a blip costs little. */
  initialBackoffMs?: number;
  /**
   * Cap on the doubling retry delay, in milliseconds. Default 30 000: a long outage is probed
   * twice a minute, not hammered. The streams' duplicate window (2 min by default) must exceed
   * this plus publishTimeoutMs so a republished event is recognised as a duplicate.
   */
  maxBackoffMs?: number;
  /** NOTIFY channel; must match appendEvents'. Default {@link OUTBOX_CHANNEL}. */
  channel?: string;
}

/** Counters since start, for metrics. */
export interface OutboxRelayStats {
  /** Events JetStream acknowledged. */
  published: number;
  /** Of those, how many JetStream reported as duplicates (already stored under the same event id). */
  duplicates: number;
  /** Publish attempts that failed (each leaves the row waiting, with `attempts` and `last_error` updated). */
  failures: number;
}

export interface OutboxRelay {
  /** Starts listening for notifications and publishing; rejects if LISTEN cannot be established. */
  start(): Promise<void>;
  /** Stops after the batch in flight commits, then stops listening. */
  stop(): Promise<void>;
  /** Rows still waiting to be published (all relays of the database together). */
  pendingCount(): Promise<number>;
  stats(): OutboxRelayStats;
}

interface OutboxRow {
  id: string;
  subject: string;
  type: string;
  payload: Uint8Array;
  headers: Record<string, string>;
}

interface BatchOutcome {
  claimed: number;
  failure?: { error: unknown; row?: OutboxRow };
}

/**
 * Publishes outbox rows to JetStream. Each batch claims the oldest waiting rows with
 * `FOR UPDATE SKIP LOCKED`, so any number of relays (one per service instance) share the work
 * without ever claiming the same row; publishes them in id order with the event id as
 * `Nats-Msg-Id`, awaiting each PubAck; and marks them published in the same transaction.
 *
 * A failed publish stops the batch there (later rows wait, keeping order), records
 * `attempts`/`last_error` on the row, and the relay retries with capped exponential back-off.
 * Nothing is lost: a row leaves the outbox's waiting set only when JetStream acknowledged it. An
 * event published whose transaction then failed to commit is published again; JetStream drops
 * the copy within the stream's duplicate window, and consumers de-duplicate by event id beyond it.
 *
 * With one relay, events reach the stream in id order. With several, each batch is in order but
 * concurrent batches interleave, so consumers must not assume a strict global order.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const {
    sql,
    js,
    logger = pino({ name: "outbox-relay" }),
    batchSize = 500,
    pollIntervalMs = 1000,
    publishTimeoutMs = 5000,
    initialBackoffMs = 100,
    maxBackoffMs = 30_000,
    channel = OUTBOX_CHANNEL,
  } = options;
  const stats: OutboxRelayStats = { published: 0, duplicates: 0, failures: 0 };
  const work = createWakeSignal();
  // Separate from `work` so notifications cannot cut a back-off short; only stop() does.
  const halt = createWakeSignal();
  let running = false;
  let loop: Promise<void> | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  async function publishBatch(): Promise<BatchOutcome> {
    return sql.begin(async (tx) => {
      const rows = await tx<OutboxRow[]>`
        select id, subject, type, payload, headers from outbox
        where published_at is null
        order by id
        limit ${batchSize}
        for update skip locked`;
      // Publishes are pipelined on the one connection: the server receives (and stores)
      // them in order, and the acks are awaited together instead of one round trip each.
      const publishing = rows.map((row) => {
        const { span, headers } = tracedHeaders(row);
        return { span, ack: js.publish(row.subject, row.payload, { msgID: row.id, headers, timeout: publishTimeoutMs }) };
      });
      const outcomes = await Promise.allSettled(publishing.map(({ ack }) => ack));
      for (const [i, outcome] of outcomes.entries()) {
        const span = publishing[i]!.span;
        if (span === undefined) continue;
        if (outcome.status === "rejected") span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(outcome.reason) });
        else if (outcome.value.duplicate) span.setAttribute("paymesh.event.duplicate", true);
        span.end();
      }
      const published: string[] = [];
      let failure: BatchOutcome["failure"];
      for (const [i, outcome] of outcomes.entries()) {
        const row = rows[i]!;
        if (outcome.status === "fulfilled") {
          stats.published += 1;
          if (outcome.value.duplicate) stats.duplicates += 1;
          published.push(row.id);
        } else {
          stats.failures += 1;
          failure ??= { error: outcome.reason, row };
          await tx`update outbox set attempts = attempts + 1, last_error = ${describeError(outcome.reason)} where id = ${row.id}`;
        }
      }
      if (published.length > 0) {
        await tx`update outbox set published_at = now() where id in ${tx(published)}`;
      }
      return { claimed: rows.length, failure };
    });
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (running) {
      // Anything notified before this claim is visible to it.
      work.clear();
      let outcome: BatchOutcome;
      try {
        outcome = await publishBatch();
      } catch (error) {
        // The database itself failed (connection lost, commit refused): the batch rolled back.
        outcome = { claimed: 0, failure: { error } };
      }
      if (outcome.failure) {
        failures += 1;
        const retryInMs = Math.min(initialBackoffMs * 2 ** (failures - 1), maxBackoffMs);
        const { error, row } = outcome.failure;
        logger.warn(
          { err: error, eventId: row?.id, subject: row?.subject, consecutiveFailures: failures, retryInMs },
          "outbox relay could not publish; retrying",
        );
        await halt.sleep(retryInMs);
        continue;
      }
      if (failures > 0) logger.info({ afterFailures: failures }, "outbox relay publishing again");
      failures = 0;
      if (outcome.claimed < batchSize) await work.sleep(pollIntervalMs);
    }
  }

  return {
    async start() {
      if (running) throw new Error("outbox relay already started");
      // onlisten also fires after postgres.js re-establishes a dropped LISTEN connection:
      // notifications sent meanwhile were lost, so look at once.
      const listening = await sql.listen(
        channel,
        () => work.wake(),
        () => work.wake(),
      );
      unlisten = () => listening.unlisten();
      running = true;
      loop = run();
    },
    async stop() {
      if (!running) return;
      running = false;
      work.wake();
      halt.wake();
      await loop;
      await unlisten?.().catch((error: unknown) => logger.warn({ err: error }, "outbox relay could not unlisten"));
    },
    pendingCount: () => countPendingEvents(sql),
    stats: () => ({ ...stats }),
  };
}

const tracer = trace.getTracer("@paymesh/events");

/**
 * The headers to publish a row with. A row appended inside a trace is published in a PRODUCER
 * span, child of the span that appended it, whose context replaces the captured one: the
 * consumers' spans become its children, so one trace runs from the RPC through the publish to
 * every handler. A row appended outside any trace is published as it is.
 */
function tracedHeaders(row: OutboxRow): { span: Span | undefined; headers: ReturnType<typeof natsHeaders> } {
  const captured = { ...row.headers };
  let span: Span | undefined;
  const parent = propagation.extract(ROOT_CONTEXT, captured);
  if (trace.getSpanContext(parent) !== undefined) {
    span = tracer.startSpan(
      `publish ${row.subject}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          "messaging.system": "nats",
          "messaging.operation.type": "send",
          "messaging.destination.name": row.subject,
          "messaging.message.id": row.id,
          "paymesh.event.type": row.type,
        },
      },
      parent,
    );
    propagation.inject(trace.setSpan(parent, span), captured);
  }
  const headers = natsHeaders();
  // Captured context first, so it can never override the type.
  for (const [name, value] of Object.entries(captured)) headers.set(name, value);
  headers.set(EventHeaders.type, row.type);
  return { span, headers };
}

/** The error text stored in `last_error`: bounded, because a row may fail thousands of times. */
function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 1000);
}
