import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Category, type Notification, NotificationSchema } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import type { NotificationRow } from "./notifications-database.js";
import type { CategoryName } from "./schema.js";

export const CATEGORY: Record<CategoryName, Category> = {
  payments: Category.PAYMENTS,
  handles: Category.HANDLES,
  governance: Category.GOVERNANCE,
  security: Category.SECURITY,
};

/** A stored notification as the API shows it. */
export function toNotification(row: NotificationRow): Notification {
  return create(NotificationSchema, {
    id: row.id,
    cursor: row.seq.toString(),
    type: row.type,
    category: CATEGORY[row.category],
    title: row.title,
    body: row.body,
    resource: row.resource,
    required: row.required,
    createTime: timestampFromDate(row.createdAt),
    readTime: row.readAt === null ? undefined : timestampFromDate(row.readAt),
    archiveTime: row.archivedAt === null ? undefined : timestampFromDate(row.archivedAt),
  });
}
