import { propagation, ROOT_CONTEXT, type Span, SpanKind, type SpanOptions, SpanStatusCode, trace } from "@opentelemetry/api";
import { isDatabaseUnavailable } from "@paymesh/db";
import { and, eq, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from "nats";
import { type Logger, pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import { createWakeSignal } from "./create-wake-signal.js";
import { declareConsumer } from "./declare-consumer.js";
import { parkedEvents } from "./parked-events.js";
import { processedEvents } from "./processed-events.js";
import type { ReceivedEvent } from "./received-event.js";
import { toReceivedEvent } from "./to-received-event.js";

/**
 * First pause before applying an event again while the database is unavailable, in
 * milliseconds; it doubles up to DATABASE_RETRY_CAP_MS (or half the ack wait, if that is less,
 * so the messages held meanwhile are kept alive in time).
 */
const DATABASE_RETRY_FIRST_MS = 100;
/** A database back from a restart is noticed within this many milliseconds. */
const DATABASE_RETRY_CAP_MS = 5_000;

/** Any drizzle Postgres database; the schema parameters stay open because each service has its own. */
// biome-ignore lint/suspicious/noExplicitAny: each service has its own schema type.
export type AnyPgDatabase = PgDatabase<PgQueryResultHKT, any, any>;

/** The transaction type `db.transaction` hands out for a given database. */
export type TransactionOf<TDb extends AnyPgDatabase> = Parameters<Parameters<TDb["transaction"]>[0]>[0];

/** Options for {@link createConsumerRunner}. */
export interface ConsumerRunnerOptions<TDb extends AnyPgDatabase> {
  js: JetStreamClient;
  /** The consuming service's database; must contain `processed_events` and `parked_events`. */
  db: TDb;
  /** Stream to consume, e.g. `PAYMESH_LEDGER`. */
  stream: string;
  /** Durable consumer name, shared by all instances of the worker so they split the messages. */
  durable: string;
  /**
   * Name recorded with processed and parked events. Default: `durable`. Keep it when renaming
   * the durable, or every event is applied again.
   */
  consumerName?: string;
  /** Subjects to receive. Default: all of the stream's. More than one needs nats-server 2.10+. */
  filterSubjects?: string[];
  /**
   * Applies one event. Runs inside the transaction that records the event as processed, so its
   * writes (through `tx`) commit together with that record, or not at all. Throwing rolls both
   * back and the event is delivered again later. Not called for an event already applied.
   */
  handler: (event: ReceivedEvent, tx: TransactionOf<TDb>) => Promise<void>;
  /**
   * Applies several fresh events at once, in stream order, with the same effect as `handler`
   * applied to each in turn: a projection that can write a group in one statement gives this,
   * so a busy stream costs a statement per group rather than per event. Default: `handler` for
   * each. Events redelivered, or retried alone after their group failed, still go to `handler`.
   */
  groupHandler?: (events: ReceivedEvent[], tx: TransactionOf<TDb>) => Promise<void>;
  /**
   * Deliveries before a failing event is parked. Default 5: enough to ride out a deadlock, a
   * failover or a dependency's brief restart, few enough that a poison message is set aside
   * in about a minute with the default backoff.
   */
  maxDeliver?: number;
  /**
   * Delay before redelivering after the n-th failure, in milliseconds; the last value repeats.
   * Default [1000, 5000, 30000]. Applied by nak-with-delay rather than the consumer's server
   * side `backoff`, because the server would also shorten the ack wait to the first step and
   * redeliver events whose handlers are merely slow.
   */
  backoffMs?: number[];
  /**
   * How long a delivered message may go unanswered before the server redelivers it (to this or
   * another instance), in milliseconds. Default 30 000: far above a normal handler's time, while
   * a crashed instance's messages move on within half a minute.
   */
  ackWaitMs?: number;
  /**
   * Messages delivered but not yet acknowledged, across all instances. Default 1000: a failing
   * message waiting out its backoff holds one slot, so the messages behind it keep flowing.
   */
  maxAckPending?: number;
  /**
   * Messages each pull requests. Default 64: keeps the handler loop fed without holding many
   * messages that a stop() would leave to wait out their ack wait.
   */
  batchSize?: number;
  /** Default: a pino logger named `consumer-runner` writing JSON to stdout. */
  logger?: Logger;
}

export interface ConsumerRunner {
  /** The durable consumer's name; with start/stop, a runner is a service worker as it is. */
  readonly name: string;
  /** Declares the durable consumer (rejecting if that fails), then consumes in the background. */
  start(): Promise<void>;
  /** Stops pulling and waits for the event being handled to finish. */
  stop(): Promise<void>;
}

/**
 * Runs a projection or reaction as a durable JetStream pull consumer with exactly-once effects.
 *
 * Each message is applied in one database transaction that first inserts
 * (consumer, event id) into `processed_events`: if that row exists, the event was applied
 * before (a redelivery or a republished duplicate) and the handler is skipped. Instances
 * sharing the durable handle different messages; if two ever get the same one, the second
 * insert waits for the first transaction and then finds the row.
 *
 * A failing handler is retried with backoff (nak with delay); at `maxDeliver` deliveries the
 * message is parked in `parked_events`, logged at error level and terminated, so it never
 * blocks the messages behind it. Messages that are not events (no id or type) are parked at once.
 * A database that is unavailable (see isDatabaseUnavailable) is not the event's fault: the
 * runner pauses, holding the event and trying it again until the database answers, so an
 * outage never counts towards parking.
 * Each handled event gets a consumer span whose parent is the trace captured at append time.
 */
export function createConsumerRunner<TDb extends AnyPgDatabase>(options: ConsumerRunnerOptions<TDb>): ConsumerRunner {
  const {
    js,
    db,
    stream,
    durable,
    consumerName = durable,
    filterSubjects = [],
    handler,
    groupHandler,
    maxDeliver = 5,
    backoffMs = [1000, 5000, 30_000],
    ackWaitMs = 30_000,
    maxAckPending = 1000,
    batchSize = 64,
    logger = pino({ name: "consumer-runner" }),
  } = options;
  if (backoffMs.length === 0) throw new Error("backoffMs needs at least one delay");
  const tracer = trace.getTracer("@paymesh/events");
  const halt = createWakeSignal();
  let running = false;
  let loop: Promise<void> | undefined;
  let messages: ConsumerMessages | undefined;
  // The messages this instance holds unanswered: the batch in hand and those waiting behind it.
  let held: () => JsMsg[] = () => [];

  const delayAfter = (deliveries: number) => backoffMs[Math.min(deliveries, backoffMs.length) - 1]!;

  async function park(
    msg: JsMsg,
    fields: {
      eventId?: string;
      type?: string;
      headers: Record<string, string>;
      error: string;
    },
  ): Promise<void> {
    const deliveries = msg.info.deliveryCount;
    try {
      const row = {
        consumer: consumerName,
        eventId: fields.eventId ?? null,
        stream: msg.info.stream,
        streamSequence: msg.info.streamSequence,
        subject: msg.subject,
        type: fields.type ?? null,
        payload: msg.data,
        headers: fields.headers,
        error: fields.error,
        deliveries,
      };
      await db
        .insert(parkedEvents)
        .values({ id: uuidv7(), ...row })
        .onConflictDoUpdate({
          target: [parkedEvents.consumer, parkedEvents.eventId],
          set: { ...row, parkedAt: sql`now()` },
        });
    } catch (error) {
      // Not parked, so not dropped either: try the whole thing again later.
      logger.error({ err: error, eventId: fields.eventId, subject: msg.subject }, "could not park event; will retry");
      msg.nak(delayAfter(backoffMs.length));
      return;
    }
    // No reason argument: servers before 2.10 do not recognise "+TERM <reason>" and would leave
    // the message pending; the reason is in parked_events and the log instead.
    msg.term();
    logger.error(
      {
        consumer: consumerName,
        eventId: fields.eventId,
        type: fields.type,
        subject: msg.subject,
        streamSequence: msg.info.streamSequence,
        deliveries,
        error: fields.error,
      },
      "event parked",
    );
  }

  async function alreadyApplied(event: ReceivedEvent): Promise<boolean> {
    const rows = await db
      .select({ eventId: processedEvents.eventId })
      .from(processedEvents)
      .where(and(eq(processedEvents.consumer, consumerName), eq(processedEvents.eventId, event.id)));
    return rows.length > 0;
  }

  function consumerSpanOptions(event: ReceivedEvent): SpanOptions {
    return {
      kind: SpanKind.CONSUMER,
      attributes: {
        "messaging.system": "nats",
        "messaging.operation.type": "process",
        "messaging.destination.name": event.subject,
        "messaging.consumer.group.name": durable,
        "messaging.message.id": event.id,
        "paymesh.event.type": event.type,
        "paymesh.event.deliveries": event.deliveries,
      },
    };
  }

  /** Runs `work` inside a CONSUMER span that continues the trace captured at append time. */
  function traced<T>(event: ReceivedEvent, work: () => Promise<T>): Promise<T> {
    const parent = propagation.extract(ROOT_CONTEXT, event.headers);
    return tracer.startActiveSpan(`process ${event.subject}`, consumerSpanOptions(event), parent, async (span: Span) => {
      try {
        const outcome = await work();
        if (typeof outcome === "string") span.setAttribute("paymesh.event.outcome", outcome);
        return outcome;
      } catch (error) {
        markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  function apply(event: ReceivedEvent): Promise<"applied" | "duplicate"> {
    return traced(event, () =>
      db.transaction(async (tx) => {
        const fresh = await tx
          .insert(processedEvents)
          .values({ consumer: consumerName, eventId: event.id })
          .onConflictDoNothing()
          .returning({ eventId: processedEvents.eventId });
        if (fresh.length === 0) return "duplicate" as const;
        await handler(event, tx as TransactionOf<TDb>);
        return "applied" as const;
      }),
    );
  }

  /**
   * Applies `event`, waiting out an unavailable database instead of failing the delivery: a nak
   * would count towards parking, so an outage of a minute would park every event in flight.
   * Meanwhile every held message is kept alive (`working()`), so the server redelivers none.
   * Gives up only when the runner stops.
   */
  async function applyWhenDatabaseAnswers(event: ReceivedEvent): Promise<"applied" | "duplicate"> {
    const capMs = Math.min(DATABASE_RETRY_CAP_MS, ackWaitMs / 2);
    for (let attempt = 1; ; attempt++) {
      try {
        return await apply(event);
      } catch (error) {
        if (!running || !isDatabaseUnavailable(error)) throw error;
        const retryInMs = Math.min(DATABASE_RETRY_FIRST_MS * 2 ** (attempt - 1), capMs);
        logger.warn({ err: error, eventId: event.id, attempt, retryInMs }, "database unavailable; holding the event until it answers");
        for (const msg of held()) msg.working();
        await halt.sleep(retryInMs);
      }
    }
  }

  /**
   * Applies several events in one transaction (one commit instead of one each, which is
   * what lets a projection keep up with a busy stream), with the same exactly-once rule:
   * an event's processed row and its effect commit together. Throws if any handler does;
   * the caller then handles the events one by one, so only a failing one is retried.
   */
  async function applyGroup(events: ReceivedEvent[]): Promise<void> {
    await db.transaction(async (tx) => {
      // One array parameter for the ids: a VALUES list would cost a parameter per event to build.
      const fresh = await tx.execute(sql`
        insert into ${processedEvents} (consumer, event_id)
        select ${consumerName}, unnest(${sql.param(events.map((event) => event.id))}::uuid[])
        on conflict do nothing
        returning event_id`);
      // Every service's database is postgres.js, whose result is the array of rows.
      const applied = new Set((fresh as unknown as Array<{ event_id: string }>).map((row) => row.event_id));
      const toApply = events.filter((event) => applied.has(event.id));
      if (groupHandler !== undefined && toApply.length > 1) {
        await tracedGroup(toApply, () => groupHandler(toApply, tx as TransactionOf<TDb>));
        return;
      }
      for (const event of toApply) await traced(event, () => handler(event, tx as TransactionOf<TDb>));
    });
  }

  /** Runs `work` for a group, with each event's CONSUMER span open around it, as {@link traced} does for one. */
  async function tracedGroup(events: ReceivedEvent[], work: () => Promise<void>): Promise<void> {
    const spans = events.map((event) =>
      tracer.startSpan(`process ${event.subject}`, consumerSpanOptions(event), propagation.extract(ROOT_CONTEXT, event.headers)),
    );
    try {
      await work();
    } catch (error) {
      for (const span of spans) markFailed(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /** Handles messages that arrived together: as one group when they are plain first tries. */
  async function handleMany(batch: JsMsg[]): Promise<void> {
    const group: Array<{ msg: JsMsg; event: ReceivedEvent }> = [];
    for (const msg of batch) {
      const read = toReceivedEvent(msg);
      if (read.event !== undefined && read.event.deliveries === 1) group.push({ msg, event: read.event });
      else await handleSafely(msg);
    }
    if (group.length === 0) return;
    if (group.length > 1) {
      try {
        await applyGroup(group.map(({ event }) => event));
        for (const { msg } of group) msg.ack();
        return;
      } catch (error) {
        logger.debug({ err: error, size: group.length }, "group apply failed; applying one by one");
      }
    }
    for (const { msg } of group) await handleSafely(msg);
  }

  function handleSafely(msg: JsMsg): Promise<void> {
    return handle(msg).catch((error: unknown) => {
      // The database failed outside the handler's transaction (checking or parking it):
      // leave the message for a later delivery rather than stop consuming.
      logger.error({ err: error, subject: msg.subject, streamSequence: msg.info.streamSequence }, "could not handle message; will retry");
      msg.nak(delayAfter(backoffMs.length));
    });
  }

  async function handle(msg: JsMsg): Promise<void> {
    const read = toReceivedEvent(msg);
    if (read.problem !== undefined) {
      await park(msg, { headers: read.headers, error: read.problem });
      return;
    }
    const { event } = read;
    if (event.deliveries > maxDeliver) {
      // Only reachable when earlier deliveries got no answer at all (the instance died or
      // exceeded the ack wait mid-handler). One of them may have committed before dying.
      if (await alreadyApplied(event)) {
        msg.ack();
        return;
      }
      await park(msg, {
        eventId: event.id,
        type: event.type,
        headers: event.headers,
        error: `delivered ${event.deliveries} times without being applied`,
      });
      return;
    }
    try {
      const outcome = await applyWhenDatabaseAnswers(event);
      msg.ack();
      if (outcome === "duplicate") logger.debug({ eventId: event.id, subject: event.subject }, "event already applied; skipped");
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        // Stopping mid-outage: hand the event straight back for whichever instance runs next.
        msg.nak();
        return;
      }
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (event.deliveries >= maxDeliver) {
        await park(msg, { eventId: event.id, type: event.type, headers: event.headers, error: text });
        return;
      }
      const retryInMs = delayAfter(event.deliveries);
      msg.nak(retryInMs);
      logger.warn(
        { err: error, eventId: event.id, type: event.type, subject: event.subject, deliveries: event.deliveries, retryInMs },
        "event handler failed; will retry",
      );
    }
  }

  async function run(jsm: JetStreamManager): Promise<void> {
    let failures = 0;
    while (running) {
      try {
        const consumer = await js.consumers.get(stream, durable);
        messages = await consumer.consume({ max_messages: batchSize });
        failures = 0;
        // Messages that arrive while a batch is being applied wait here and are applied
        // together next: under load batches grow, when idle each message goes at once.
        const waiting: JsMsg[] = [];
        let inHand: JsMsg[] = [];
        held = () => [...inHand, ...waiting];
        const arrived = createWakeSignal();
        let ended = false;
        const reader = (async () => {
          try {
            for await (const msg of messages) {
              waiting.push(msg);
              arrived.wake();
            }
          } finally {
            ended = true;
            arrived.wake();
          }
        })();
        while (!ended || waiting.length > 0) {
          if (waiting.length === 0) {
            await arrived.sleep(ackWaitMs);
            continue;
          }
          inHand = waiting.splice(0, batchSize);
          await handleMany(inHand);
          inHand = [];
        }
        await reader;
        // Ends by itself only if the client gave up on the consumer (e.g. it was deleted).
        if (running) throw new Error("consumer message stream ended");
      } catch (error) {
        if (!running) break;
        failures += 1;
        const retryInMs = delayAfter(failures);
        logger.warn({ err: error, stream, durable, retryInMs }, "consumer interrupted; resuming");
        await halt.sleep(retryInMs);
        // The consumer may have been deleted from under us; declaring again is harmless.
        await declareConsumer(jsm, { stream, durable, filterSubjects, ackWaitMs, maxAckPending }).catch(() => {});
      }
    }
  }

  return {
    name: durable,
    async start() {
      if (running) throw new Error("consumer runner already started");
      const jsm = await js.jetstreamManager();
      await declareConsumer(jsm, { stream, durable, filterSubjects, ackWaitMs, maxAckPending });
      running = true;
      loop = run(jsm);
    },
    async stop() {
      if (!running) return;
      running = false;
      halt.wake();
      await messages?.close();
      await loop;
    },
  };
}

function markFailed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
