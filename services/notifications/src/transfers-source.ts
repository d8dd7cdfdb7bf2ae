import { formatMinor } from "@paymesh/domain";
import { decodeEvent } from "@paymesh/events";
import { TransferCompletedSchema, TransferFailedSchema } from "@paymesh/gen/paymesh/transfers/v1/events_pb";
import type { Transfer } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { and, eq } from "drizzle-orm";
import type { InboxSource } from "./inbox-source.js";
import type { NotificationDraft } from "./notification-draft.js";
import type { NotificationsTransaction } from "./notifications-database.js";
import { knownHandles } from "./schema.js";

/**
 * How the payee reads the payer: the handle the paying account is known by, from the handles
 * stream; an account paying from no handle (or one not yet seen) is named by its owner's subject.
 */
async function payerName(tx: NotificationsTransaction, transfer: Transfer): Promise<string> {
  const [known] = await tx
    .select({ handle: knownHandles.handle })
    .from(knownHandles)
    .where(and(eq(knownHandles.accountId, transfer.fromAccountId), eq(knownHandles.active, true)))
    .limit(1);
  return known?.handle ?? transfer.payer;
}

/** How the payer reads the payee: the handle they paid, or the account. */
function payeeName(transfer: Transfer): string {
  if (transfer.toHandle !== "") return transfer.toHandle;
  return transfer.toAccountId === "" ? "an account" : `account ${transfer.toAccountId}`;
}

/**
 * Transfers: a completed one tells its payer and its payee, a failed one its payer, with the
 * reason (required: a person must learn their money did not move). Initiated ones tell nobody.
 */
export const transfersSource: InboxSource = {
  context: "transfers",
  durable: "notifications-transfers",
  types: ["transfer.sent", "transfer.received", "transfer.failed"],
  async notificationsFor(event, tx) {
    if (event.type === TransferCompletedSchema.typeName) {
      const { transfer } = decodeEvent(event, TransferCompletedSchema);
      if (transfer === undefined) throw new Error(`event ${event.id} carries no transfer`);
      const amount = formatMinor(transfer.amount, transfer.currency);
      const memo = transfer.memo === "" ? "" : `: ${transfer.memo}`;
      const drafts: NotificationDraft[] = [
        {
          recipient: transfer.payer,
          type: "transfer.sent",
          category: "payments",
          title: "Payment sent",
          body: `You sent ${amount} to ${payeeName(transfer)}${memo}`,
          resource: transfer.id,
          required: false,
        },
      ];
      if (transfer.payee !== "" && transfer.payee !== transfer.payer) {
        drafts.push({
          recipient: transfer.payee,
          type: "transfer.received",
          category: "payments",
          title: "Payment received",
          body: `${await payerName(tx, transfer)} sent you ${amount}${memo}`,
          resource: transfer.id,
          required: false,
        });
      }
      return drafts;
    }
    if (event.type === TransferFailedSchema.typeName) {
      const { transfer } = decodeEvent(event, TransferFailedSchema);
      if (transfer === undefined) throw new Error(`event ${event.id} carries no transfer`);
      const reason = transfer.failureMessage === "" ? "" : `: ${transfer.failureMessage}`;
      return [
        {
          recipient: transfer.payer,
          type: "transfer.failed",
          category: "payments",
          title: "Payment failed",
          body: `Your payment of ${formatMinor(transfer.amount, transfer.currency)} to ${payeeName(transfer)} failed${reason}`,
          resource: transfer.id,
          required: true,
        },
      ];
    }
    return [];
  },
};
