import { decodeEvent } from "@paymesh/events";
import { HandleDeactivatedSchema, HandleRegisteredSchema, HandleUpdatedSchema } from "@paymesh/gen/paymesh/handles/v1/events_pb";
import type { Handle } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import type { InboxSource } from "./inbox-source.js";
import type { NotificationDraft } from "./notification-draft.js";
import type { NotificationsTransaction } from "./notifications-database.js";
import { knownHandles } from "./schema.js";

/** Keeps known_handles as the event leaves the handle (it names payers to their payees). */
async function remember(tx: NotificationsTransaction, handle: Handle, active: boolean): Promise<void> {
  const values = { handle: handle.handle, accountId: handle.accountId, owner: handle.owner, active };
  await tx.insert(knownHandles).values(values).onConflictDoUpdate({ target: knownHandles.handle, set: values });
}

interface Wording {
  schema: typeof HandleRegisteredSchema | typeof HandleUpdatedSchema | typeof HandleDeactivatedSchema;
  type: string;
  title: string;
  body: (handle: string) => string;
  /** Whether the handle resolves after the event. */
  active: boolean;
  required: boolean;
}

const WORDING: Readonly<Record<string, Wording>> = {
  [HandleRegisteredSchema.typeName]: {
    schema: HandleRegisteredSchema,
    type: "handle.registered",
    title: "Handle registered",
    body: (handle: string) => `Your handle ${handle} is registered: people can pay you by it`,
    active: true,
    required: false,
  },
  [HandleUpdatedSchema.typeName]: {
    schema: HandleUpdatedSchema,
    type: "handle.updated",
    title: "Handle changed",
    body: (handle: string) => `Your handle ${handle} was changed`,
    active: true,
    required: false,
  },
  [HandleDeactivatedSchema.typeName]: {
    schema: HandleDeactivatedSchema,
    type: "handle.deactivated",
    title: "Handle deactivated",
    body: (handle: string) => `Your handle ${handle} was deactivated: payments to it now fail`,
    active: false,
    required: true,
  },
};

/** Handles: a handle registered, changed or deactivated tells its owner (deactivation is required). */
export const handlesSource: InboxSource = {
  context: "handles",
  durable: "notifications-handles",
  types: Object.values(WORDING).map((wording) => wording.type),
  async notificationsFor(event, tx) {
    const wording = WORDING[event.type];
    if (wording === undefined) return [];
    const { handle } = decodeEvent(event, wording.schema) as { handle?: Handle };
    if (handle === undefined) throw new Error(`event ${event.id} carries no handle`);
    await remember(tx, handle, wording.active);
    const draft: NotificationDraft = {
      recipient: handle.owner,
      type: wording.type,
      category: "handles",
      title: wording.title,
      body: wording.body(handle.handle),
      resource: handle.handle,
      required: wording.required,
    };
    return [draft];
  },
};
