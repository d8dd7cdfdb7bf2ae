import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  DeliveryStatus,
  type NotificationService,
  WebhookAttemptSchema,
  type WebhookDelivery,
  WebhookDeliverySchema,
  type WebhookEndpoint,
  WebhookEndpointSchema,
} from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { DomainError, principalOf, readPageRequest, toPage } from "@paymesh/runtime";
import { and, asc, desc, eq, gte, inArray, lt, ne, or } from "drizzle-orm";
import { v7 as uuidv7 } from "uuid";
import { checkEndpointUrl, type EndpointGuardOptions } from "./endpoint-guard.js";
import type { NotificationsDatabase } from "./notifications-database.js";
import { type DeliveryStatusName, deliveries, deliveryAttempts, webhookEndpoints } from "./schema.js";
import { newWebhookSecret } from "./webhook-signature.js";

type EndpointRow = typeof webhookEndpoints.$inferSelect;
type DeliveryRow = typeof deliveries.$inferSelect;

const STATUS: Record<DeliveryStatusName, DeliveryStatus> = {
  pending: DeliveryStatus.PENDING,
  succeeded: DeliveryStatus.SUCCEEDED,
  failed: DeliveryStatus.FAILED,
};

export interface WebhookEndpointsOptions {
  db: NotificationsDatabase;
  guard: EndpointGuardOptions;
  /** The notification types an endpoint may ask for. */
  types: ReadonlySet<string>;
  /** How long the previous secret still signs after a rotation. */
  secretOverlapMs: number;
}

const toEndpoint = (row: EndpointRow): WebhookEndpoint =>
  create(WebhookEndpointSchema, {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes,
    disabled: row.disabledAt !== null,
    disabledReason: row.disabledReason,
    createTime: timestampFromDate(row.createdAt),
  });

/** The webhook RPCs: endpoints, secrets, deliveries. Every id given must be the caller's. */
export function createWebhookEndpoints({
  db,
  guard,
  types,
  secretOverlapMs,
}: WebhookEndpointsOptions): Partial<ServiceImpl<typeof NotificationService>> {
  /** The caller's endpoint; someone else's and a missing one look the same. */
  const ownEndpoint = async (owner: string, id: string): Promise<EndpointRow> => {
    const [row] = await db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id.toLowerCase()), eq(webhookEndpoints.owner, owner)));
    if (row === undefined) throw new DomainError("permission_denied", `webhook endpoint ${id} is not one of yours`);
    return row;
  };

  const withAttempts = async (rows: DeliveryRow[]): Promise<WebhookDelivery[]> => {
    const attempts =
      rows.length === 0
        ? []
        : await db
            .select()
            .from(deliveryAttempts)
            .where(
              inArray(
                deliveryAttempts.deliveryId,
                rows.map((row) => row.id),
              ),
            )
            .orderBy(asc(deliveryAttempts.at));
    return rows.map((row) =>
      create(WebhookDeliverySchema, {
        id: row.id,
        endpointId: row.endpointId ?? "",
        messageId: row.messageId,
        eventType: row.eventType,
        status: STATUS[row.status],
        nextAttemptTime: row.status === "pending" ? timestampFromDate(row.nextAttemptAt) : undefined,
        attempts: attempts
          .filter((attempt) => attempt.deliveryId === row.id)
          .map((attempt) =>
            create(WebhookAttemptSchema, {
              statusCode: attempt.statusCode,
              latencyMs: attempt.latencyMs,
              error: attempt.error,
              time: timestampFromDate(attempt.at),
            }),
          ),
        createTime: timestampFromDate(row.createdAt),
      }),
    );
  };

  return {
    async createWebhookEndpoint(req, ctx) {
      const { subject } = principalOf(ctx);
      const unknown = req.eventTypes.find((type) => !types.has(type));
      if (unknown !== undefined) {
        throw new DomainError("invalid_argument", `event_types: unknown type "${unknown}"; known: ${[...types].sort().join(", ")}`);
      }
      const url = await checkEndpointUrl(req.url, guard);
      const secret = newWebhookSecret();
      const [row] = await db
        .insert(webhookEndpoints)
        .values({ id: uuidv7(), owner: subject, url: url.toString(), eventTypes: req.eventTypes, secret, createdAt: new Date() })
        .returning();
      return { endpoint: toEndpoint(row!), secret };
    },

    async listWebhookEndpoints(req, ctx) {
      const { subject } = principalOf(ctx);
      const page = readPageRequest(req, {
        list: "notifications.ListWebhookEndpoints",
        filters: [subject],
        cursor: { createdAt: "timestamp", id: "uuid" },
      });
      const after = page.after;
      const rows = await db
        .select()
        .from(webhookEndpoints)
        .where(
          and(
            eq(webhookEndpoints.owner, subject),
            after === undefined
              ? undefined
              : or(
                  lt(webhookEndpoints.createdAt, after.createdAt),
                  and(eq(webhookEndpoints.createdAt, after.createdAt), lt(webhookEndpoints.id, after.id)),
                ),
          ),
        )
        .orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id))
        .limit(page.limit);
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ createdAt: row.createdAt, id: row.id }));
      return { endpoints: items.map(toEndpoint), nextPageToken };
    },

    async deleteWebhookEndpoint(req, ctx) {
      const endpoint = await ownEndpoint(principalOf(ctx).subject, req.id);
      await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
      return {};
    },

    async rotateWebhookSecret(req, ctx) {
      const endpoint = await ownEndpoint(principalOf(ctx).subject, req.id);
      const secret = newWebhookSecret();
      const expires = new Date(Date.now() + secretOverlapMs);
      await db
        .update(webhookEndpoints)
        .set({ secret, previousSecret: endpoint.secret, previousSecretExpiresAt: expires })
        .where(eq(webhookEndpoints.id, endpoint.id));
      return { secret, previousSecretExpireTime: timestampFromDate(expires) };
    },

    async listWebhookDeliveries(req, ctx) {
      const { subject } = principalOf(ctx);
      const endpoint = await ownEndpoint(subject, req.endpointId);
      const page = readPageRequest(req, {
        list: "notifications.ListWebhookDeliveries",
        filters: [subject, endpoint.id],
        cursor: { createdAt: "timestamp", id: "uuid" },
      });
      const after = page.after;
      const rows = await db
        .select()
        .from(deliveries)
        .where(
          and(
            eq(deliveries.endpointId, endpoint.id),
            after === undefined
              ? undefined
              : or(lt(deliveries.createdAt, after.createdAt), and(eq(deliveries.createdAt, after.createdAt), lt(deliveries.id, after.id))),
          ),
        )
        .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
        .limit(page.limit);
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ createdAt: row.createdAt, id: row.id }));
      return { deliveries: await withAttempts(items), nextPageToken };
    },

    async redeliverWebhook(req, ctx) {
      const { subject } = principalOf(ctx);
      const id = req.deliveryId.toLowerCase();
      const [found] = await db
        .select({ delivery: deliveries, disabled: webhookEndpoints.disabledAt })
        .from(deliveries)
        .innerJoin(webhookEndpoints, eq(deliveries.endpointId, webhookEndpoints.id))
        .where(and(eq(deliveries.id, id), eq(webhookEndpoints.owner, subject)));
      if (found === undefined) throw new DomainError("permission_denied", `webhook delivery ${req.deliveryId} is not one of yours`);
      if (found.disabled !== null)
        throw new DomainError("failed_precondition", "the endpoint is disabled: create it again to receive deliveries");
      const [row] = await db
        .update(deliveries)
        .set({ status: "pending", nextAttemptAt: new Date(), attempts: 0 })
        .where(eq(deliveries.id, id))
        .returning();
      return { delivery: (await withAttempts([row!]))[0] };
    },

    async replayWebhooks(req, ctx) {
      const endpoint = await ownEndpoint(principalOf(ctx).subject, req.endpointId);
      if (endpoint.disabledAt !== null)
        throw new DomainError("failed_precondition", "the endpoint is disabled: create it again to receive deliveries");
      const queued = await db
        .update(deliveries)
        .set({ status: "pending", nextAttemptAt: new Date(), attempts: 0 })
        .where(
          and(
            eq(deliveries.endpointId, endpoint.id),
            gte(deliveries.createdAt, timestampDate(req.since!)),
            ne(deliveries.status, "succeeded"),
          ),
        )
        .returning({ id: deliveries.id });
      return { queued: queued.length };
    },
  };
}
