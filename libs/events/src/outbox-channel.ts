/**
 * The LISTEN/NOTIFY channel appendEvents notifies and the outbox relay listens on. Channels are
 * per database, and each service owns its database, so one fixed name serves every service.
 */
export const OUTBOX_CHANNEL = "paymesh_outbox";
