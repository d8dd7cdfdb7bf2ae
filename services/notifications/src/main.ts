import { ensureStream, streamNameFor, streamSubjectFor } from "@paymesh/events";
import { NotificationService } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { isMainModule, runService, type ServiceDefinition, type Worker } from "@paymesh/runtime";
import { applyInboxEvent } from "./apply-inbox-event.js";
import type { Channel } from "./channel.js";
import { createDeliveryWorker } from "./create-delivery-worker.js";
import { createEmailChannel } from "./create-email-channel.js";
import { createInboxWriter } from "./create-inbox-writer.js";
import { createProviderChannel } from "./create-provider-channel.js";
import { createWatchHub } from "./create-watch-hub.js";
import { createWebhookChannel } from "./create-webhook-channel.js";
import { INBOX_SOURCES, NOTIFICATION_TYPES } from "./inbox-sources.js";
import { readNotificationsConfig } from "./read-notifications-config.js";
import type { ChannelName } from "./schema.js";
import * as schema from "./schema.js";
import { createNotificationService } from "./service.js";
import { createWebhookEndpoints } from "./webhook-endpoints.js";

/** How long past an attempt's own time limit a claim is held before another worker may take the delivery. */
const LEASE_MARGIN_MS = 15_000;

/**
 * Notifications: the inbox projections of the other contexts' streams, the live hub behind
 * WatchNotifications, the delivery worker of webhooks, email, SMS and push, and the inbox,
 * preference and webhook RPCs.
 */
export function createNotificationsService(): ServiceDefinition<typeof schema> {
  return {
    name: "notifications",
    schema,
    migrationsFolder: new URL("../drizzle", import.meta.url).pathname,
    setup(ctx) {
      const config = readNotificationsConfig(ctx.env);
      const { db } = ctx.database;
      const guard = { allowPrivate: config.allowPrivateEndpoints, requireHttps: config.requireHttps };
      const channels = new Map<ChannelName, Channel>([
        ["webhook", createWebhookChannel({ db, timeoutMs: config.webhookTimeoutMs, allowPrivate: guard.allowPrivate })],
      ]);
      const workers: Worker[] = [];
      if (config.smtpUrl !== undefined) {
        const email = createEmailChannel({ smtpUrl: config.smtpUrl, from: config.emailFrom, timeoutMs: config.webhookTimeoutMs });
        channels.set("email", email);
        workers.push({ name: "email-transport", start: async () => {}, stop: async () => email.close() });
      }
      if (config.sms !== undefined)
        channels.set("sms", createProviderChannel({ name: "sms", provider: config.sms, timeoutMs: config.webhookTimeoutMs }));
      if (config.push !== undefined)
        channels.set("push", createProviderChannel({ name: "push", provider: config.push, timeoutMs: config.webhookTimeoutMs }));
      const writer = createInboxWriter({ subject: ctx.subject, channels: new Set(channels.keys()) });
      const hub = createWatchHub({
        nats: ctx.nats,
        subject: ctx.subject("notification_created"),
        maxBuffered: config.watchBuffer,
        logger: ctx.logger.child({ component: "watch-hub" }),
        registry: ctx.metrics.registry,
      });
      // The sources' streams are declared here too (idempotently, with their owners' settings), so
      // this service may start before the services it listens to have ever run.
      const sourceStreams: Worker = {
        name: "source-streams",
        async start() {
          for (const source of INBOX_SOURCES) {
            const prefix = ctx.config.subjectPrefix;
            await ensureStream(ctx.jsm, {
              name: streamNameFor(prefix, source.context),
              subjects: [streamSubjectFor(prefix, source.context)],
            });
          }
        },
        async stop() {},
      };
      const projections = INBOX_SOURCES.map((source) =>
        ctx.projection({ context: source.context, durable: source.durable, handler: applyInboxEvent(source, writer) }),
      );
      const delivery = createDeliveryWorker({
        db,
        channels,
        scheduleMs: config.retryScheduleMs,
        jitterPercent: config.retryJitterPercent,
        disableAfterMs: config.webhookDisableAfterMs,
        leaseMs: config.webhookTimeoutMs + LEASE_MARGIN_MS,
        intervalMs: config.deliveryIntervalMs,
        batch: config.deliveryBatch,
        writer,
        logger: ctx.logger.child({ component: "deliveries" }),
        registry: ctx.metrics.registry,
      });
      const impl = {
        ...createNotificationService({ db, hub, heartbeatMs: config.heartbeatMs }),
        ...createWebhookEndpoints({ db, guard, types: NOTIFICATION_TYPES, secretOverlapMs: config.secretOverlapMs }),
      };
      return {
        services: [{ service: NotificationService, impl }],
        workers: [...workers, hub, sourceStreams, ...projections, delivery],
      };
    },
  };
}

export const notificationsService = createNotificationsService();

if (isMainModule(import.meta.url)) await runService(notificationsService);
