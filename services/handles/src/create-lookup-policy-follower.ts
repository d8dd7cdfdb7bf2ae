import { createIntervalWorker, type Worker } from "@paymesh/runtime";
import type { NatsConnection, Subscription } from "nats";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { LookupPolicyStore } from "./create-lookup-policy-store.js";

export interface LookupPolicyFollowerOptions {
  store: LookupPolicyStore;
  nats: NatsConnection;
  /** Subject of the LookupPolicyChanged event. */
  subject: string;
  /** Pause between re-reads of the stored policy: how late a change whose event was missed is applied. No default: the service's setting. */
  intervalMs: number;
  logger: Logger;
  /** Where the re-reads' worker metrics go: the service's registry. */
  registry: Registry;
}

/**
 * Keeps this instance's lookup policy current with the stored one, two ways:
 * - push: any LookupPolicyChanged event (published by the outbox relay of whichever instance
 *   picked it up) makes it re-read at once, typically milliseconds after the change committed.
 *   A plain NATS subscription, not a durable consumer: every instance must hear every change,
 *   and one it missed (NATS away, a reconnect) is what the re-reads are for.
 * - re-reads every `intervalMs`, so a lost event, or NATS or Redis being away, delays a change
 *   by at most that (plus one query); while Postgres is away the last policy read stays in force.
 * The event is only a signal to re-read: the row is the truth, so events arriving late, twice or
 * out of order change nothing. The first read is done before start() returns, so an instance
 * never serves lookups by its settings while a policy is stored.
 */
export function createLookupPolicyFollower(options: LookupPolicyFollowerOptions): Worker {
  const { store, nats, subject, logger } = options;
  // A read is asked for and has not begun: whatever is heard meanwhile, that read will see it,
  // so a burst of events costs one read, not one each.
  let readPending = false;
  const reread = createIntervalWorker({
    name: "lookup-policy",
    intervalMs: options.intervalMs,
    run: () => {
      readPending = false;
      return store.refresh();
    },
    logger,
    registry: options.registry,
  });
  let subscription: Subscription | undefined;
  return {
    name: "lookup-policy",
    async start() {
      // Before the first read, so no change can fall between the two.
      subscription = nats.subscribe(subject, {
        callback: (error) => {
          if (error !== null) logger.warn({ err: error }, "lookup policy subscription failed; relying on re-reads");
          else if (!readPending) {
            readPending = true;
            reread.runOnce().catch(() => {});
          }
        },
      });
      await reread.runOnce();
      await reread.start();
    },
    async stop() {
      subscription?.unsubscribe();
      await reread.stop();
    },
  };
}
