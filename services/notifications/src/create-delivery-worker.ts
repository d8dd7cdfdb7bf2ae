import { createIntervalWorker, type IntervalWorker } from "@paymesh/runtime";
import { and, asc, eq, inArray, isNotNull, lte, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { Counter, type Registry } from "prom-client";
import { v7 as uuidv7 } from "uuid";
import type { Channel, DeliveryRow, SendOutcome } from "./channel.js";
import type { InboxWriter } from "./create-inbox-writer.js";
import type { NotificationsDatabase, NotificationsTransaction } from "./notifications-database.js";
import { type ChannelName, deliveries, deliveryAttempts, webhookEndpoints } from "./schema.js";

/** Statuses whose Retry-After is honoured instead of the schedule's next delay. */
const RETRY_AFTER_STATUSES = new Set([429, 502, 504]);

/** The longest Retry-After honoured: a day, the schedule's own longest step. */
const RETRY_AFTER_CAP_MS = 86_400_000;

export interface DeliveryWorkerOptions {
  db: NotificationsDatabase;
  channels: ReadonlyMap<ChannelName, Channel>;
  /** Delay before each attempt; its length is the number of attempts. */
  scheduleMs: readonly number[];
  jitterPercent: number;
  /** An endpoint failing this long is disabled and its owner told. */
  disableAfterMs: number;
  /** How long a claim holds a delivery: longer than any attempt may take, so only a dead worker's claim comes due again. */
  leaseMs: number;
  intervalMs: number;
  batch: number;
  /** Writes the inbox notification telling an owner their endpoint was disabled. */
  writer: InboxWriter;
  logger: Logger;
  registry: Registry;
}

/** `ms` moved by up to `percent` either way. */
const jittered = (ms: number, percent: number) => Math.max(0, Math.round(ms * (1 + ((Math.random() * 2 - 1) * percent) / 100)));

/**
 * Sends due deliveries: claims up to `batch` with FOR UPDATE SKIP LOCKED (so instances share the
 * queue), pushes each claim's due time a lease ahead, sends them concurrently, and records each
 * attempt with its outcome. A success is final (a delivery that succeeded is claimed again only
 * by an explicit Redeliver); a failure is tried again on the schedule, a 429/502/504 after its
 * Retry-After; a webhook answered 410 Gone disables its endpoint at once, and one failing for
 * `disableAfterMs` is disabled too, its owner told in the inbox.
 */
export function createDeliveryWorker(options: DeliveryWorkerOptions): IntervalWorker<number> {
  const { db, channels, scheduleMs, jitterPercent, disableAfterMs, leaseMs, batch, writer, logger } = options;
  const attempts = new Counter({
    name: "notification_delivery_attempts_total",
    help: "Delivery attempts recorded, by channel (webhook, email, sms, push) and result (succeeded or failed).",
    labelNames: ["channel", "result"],
    registers: [options.registry],
  });

  const claim = (): Promise<DeliveryRow[]> =>
    db
      .update(deliveries)
      .set({ nextAttemptAt: sql`now() + ${`${leaseMs} milliseconds`}::interval`, attempts: sql`${deliveries.attempts} + 1` })
      .where(
        inArray(
          deliveries.id,
          db
            .select({ id: deliveries.id })
            .from(deliveries)
            .where(and(eq(deliveries.status, "pending"), lte(deliveries.nextAttemptAt, sql`now()`)))
            .orderBy(asc(deliveries.nextAttemptAt))
            .limit(batch)
            .for("update", { skipLocked: true }),
        ),
      )
      .returning();

  /** Disables an endpoint, fails what it still had queued, and tells its owner. */
  const disable = async (tx: NotificationsTransaction, endpointId: string, reason: string, now: Date) => {
    const [endpoint] = await tx
      .update(webhookEndpoints)
      .set({ disabledAt: now, disabledReason: reason })
      .where(and(eq(webhookEndpoints.id, endpointId), sql`${webhookEndpoints.disabledAt} is null`))
      .returning();
    if (endpoint === undefined) return;
    await tx
      .update(deliveries)
      .set({ status: "failed" })
      .where(and(eq(deliveries.endpointId, endpointId), eq(deliveries.status, "pending")));
    logger.warn({ endpointId, reason }, "webhook endpoint disabled");
    await writer.write(
      tx,
      uuidv7(),
      [
        {
          recipient: endpoint.owner,
          type: "webhook.endpoint_disabled",
          category: "security",
          title: "Webhook endpoint disabled",
          body: `Your webhook endpoint ${endpoint.url} was disabled: ${reason}. Fix it, then create it again or replay what it missed.`,
          resource: endpoint.id,
          required: true,
        },
      ],
      now,
    );
  };

  const record = (delivery: DeliveryRow, outcome: SendOutcome, succeeded: boolean) =>
    db.transaction(async (tx) => {
      const now = new Date();
      await tx.insert(deliveryAttempts).values({
        id: uuidv7(),
        deliveryId: delivery.id,
        statusCode: outcome.statusCode,
        latencyMs: outcome.latencyMs,
        error: outcome.error.slice(0, 500),
        at: now,
      });
      // Only while the claim is still ours: a claim that outlived its lease was taken over.
      const ours = and(eq(deliveries.id, delivery.id), eq(deliveries.attempts, delivery.attempts), eq(deliveries.status, "pending"));
      if (succeeded) {
        await tx.update(deliveries).set({ status: "succeeded" }).where(ours);
        if (delivery.endpointId !== null) {
          // Only when it was failing: most successes then write nothing to the endpoint's row.
          await tx
            .update(webhookEndpoints)
            .set({ failingSince: null })
            .where(and(eq(webhookEndpoints.id, delivery.endpointId), isNotNull(webhookEndpoints.failingSince)));
        }
        return;
      }
      const last = delivery.attempts >= scheduleMs.length;
      const retryAfter = RETRY_AFTER_STATUSES.has(outcome.statusCode) ? outcome.retryAfterMs : undefined;
      const delayMs =
        retryAfter !== undefined ? Math.min(retryAfter, RETRY_AFTER_CAP_MS) : jittered(scheduleMs[delivery.attempts] ?? 0, jitterPercent);
      await tx
        .update(deliveries)
        .set(last ? { status: "failed" } : { nextAttemptAt: new Date(now.getTime() + delayMs) })
        .where(ours);
      if (delivery.endpointId === null) return;
      if (outcome.statusCode === 410) {
        await disable(tx, delivery.endpointId, "it answered 410 Gone", now);
        return;
      }
      const [endpoint] = await tx
        .update(webhookEndpoints)
        .set({ failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${now.toISOString()}::timestamptz)` })
        .where(eq(webhookEndpoints.id, delivery.endpointId))
        .returning({ failingSince: webhookEndpoints.failingSince });
      if (endpoint?.failingSince != null && now.getTime() - endpoint.failingSince.getTime() >= disableAfterMs) {
        await disable(tx, delivery.endpointId, `every attempt failed for ${Math.round(disableAfterMs / 3_600_000)} hours`, now);
      }
    });

  const send = async (delivery: DeliveryRow) => {
    const channel = channels.get(delivery.channel);
    const outcome: SendOutcome =
      channel === undefined
        ? { statusCode: 0, latencyMs: 0, error: `the ${delivery.channel} channel is not configured` }
        : await channel.send(delivery);
    const succeeded = channel?.succeeded(outcome) ?? false;
    await record(delivery, outcome, succeeded);
    attempts.inc({ channel: delivery.channel, result: succeeded ? "succeeded" : "failed" });
  };

  return createIntervalWorker({
    name: "deliveries",
    intervalMs: options.intervalMs,
    firstRun: "immediately",
    logger,
    registry: options.registry,
    async run() {
      let sent = 0;
      for (;;) {
        const claimed = await claim();
        const results = await Promise.allSettled(claimed.map(send));
        for (const result of results) {
          if (result.status === "rejected")
            logger.error({ err: result.reason }, "could not record a delivery attempt; its lease will bring it back");
        }
        sent += claimed.length;
        if (claimed.length < batch) return sent;
      }
    },
  });
}
