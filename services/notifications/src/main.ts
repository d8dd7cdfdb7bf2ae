import { NotificationService } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { isMainModule, runService, type ServiceDefinition } from "@paymesh/runtime";
import { applyInboxEvent } from "./apply-inbox-event.js";
import { createWatchHub } from "./create-watch-hub.js";
import { INBOX_SOURCES } from "./inbox-sources.js";
import { readNotificationsConfig } from "./read-notifications-config.js";
import * as schema from "./schema.js";
import { createNotificationService } from "./service.js";

/**
 * Notifications: the inbox projections of the other contexts' streams, the live hub behind
 * WatchNotifications, and the inbox and preference RPCs.
 */
export function createNotificationsService(): ServiceDefinition<typeof schema> {
  return {
    name: "notifications",
    schema,
    migrationsFolder: new URL("../drizzle", import.meta.url).pathname,
    setup(ctx) {
      const config = readNotificationsConfig(ctx.env);
      const { db } = ctx.database;
      const hub = createWatchHub({
        nats: ctx.nats,
        subject: ctx.subject("notification_created"),
        maxBuffered: config.watchBuffer,
        logger: ctx.logger.child({ component: "watch-hub" }),
        registry: ctx.metrics.registry,
      });
      const projections = INBOX_SOURCES.map((source) =>
        ctx.projection({ context: source.context, durable: source.durable, handler: applyInboxEvent(source, ctx.subject) }),
      );
      return {
        services: [{ service: NotificationService, impl: createNotificationService({ db, hub, heartbeatMs: config.heartbeatMs }) }],
        workers: [hub, ...projections],
      };
    },
  };
}

export const notificationsService = createNotificationsService();

if (isMainModule(import.meta.url)) await runService(notificationsService);
