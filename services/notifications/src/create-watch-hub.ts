import { fromBinary } from "@bufbuild/protobuf";
import { NotificationCreatedSchema } from "@paymesh/gen/paymesh/notifications/v1/events_pb";
import type { Notification } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import type { Worker } from "@paymesh/runtime";
import type { NatsConnection, Subscription } from "nats";
import type { Logger } from "pino";
import { Gauge, type Registry } from "prom-client";

/** A notification pushed to a watcher, with its recipient's unread count just after it. */
export interface WatchItem {
  notification: Notification;
  seq: bigint;
  unreadCount: bigint;
}

/** What waiting on a watcher gives: an item, or why there is none. */
type WatchNext = WatchItem | "idle" | "overflow" | "closed";

/** One open WatchNotifications stream's queue on this instance. */
interface Watcher {
  /** The next item; "idle" after `idleMs` without one, "overflow" once it fell behind, "closed" when aborted or stopping. */
  next(idleMs: number, signal: AbortSignal): Promise<WatchNext>;
  close(): void;
}

export interface WatchHub extends Worker {
  /** Opens a watcher for `recipient`; it receives every notification pushed from now on. */
  open(recipient: string): Watcher;
}

export interface WatchHubOptions {
  nats: NatsConnection;
  /** The NotificationCreated subject, published by the outbox relay of every instance. */
  subject: string;
  /**
   * Items a watcher may hold unread before it is closed as too slow. Pushing never waits for a
   * watcher, so a slow one costs only its own queue; past this it is told to resume from its cursor.
   */
  maxBuffered: number;
  logger: Logger;
  registry: Registry;
}

/**
 * The live side of the inbox: one core NATS subscription per instance to NotificationCreated
 * (JetStream delivers a stored message to plain subscribers of its subject too), fanned out in
 * memory to the watchers of its recipient. Watchers never poll Postgres for new items.
 */
export function createWatchHub({ nats, subject, maxBuffered, logger, registry }: WatchHubOptions): WatchHub {
  const byRecipient = new Map<string, Set<WatcherState>>();
  let subscription: Subscription | undefined;
  let stopped = false;

  new Gauge({
    name: "notifications_watchers",
    help: "WatchNotifications streams open on this instance.",
    registers: [registry],
    collect() {
      let open = 0;
      for (const set of byRecipient.values()) open += set.size;
      this.set(open);
    },
  });

  interface WatcherState {
    queue: WatchItem[];
    overflow: boolean;
    closed: boolean;
    wake?: () => void;
  }

  const deliver = (data: Uint8Array) => {
    const event = fromBinary(NotificationCreatedSchema, data);
    const watchers = byRecipient.get(event.recipient);
    if (watchers === undefined || event.notification === undefined) return;
    const item = { notification: event.notification, seq: BigInt(event.notification.cursor), unreadCount: event.unreadCount };
    for (const state of watchers) {
      if (state.overflow) continue;
      if (state.queue.length >= maxBuffered) state.overflow = true;
      else state.queue.push(item);
      state.wake?.();
    }
  };

  return {
    name: "watch-hub",
    async start() {
      subscription = nats.subscribe(subject, {
        callback: (error, msg) => {
          if (error !== null) {
            logger.warn({ err: error }, "notification subscription error");
            return;
          }
          try {
            deliver(msg.data);
          } catch (failure) {
            logger.error({ err: failure }, "undecodable NotificationCreated; skipped");
          }
        },
      });
    },
    async stop() {
      stopped = true;
      subscription?.unsubscribe();
      for (const set of byRecipient.values()) {
        for (const state of set) {
          state.closed = true;
          state.wake?.();
        }
      }
    },
    open(recipient) {
      const state: WatcherState = { queue: [], overflow: false, closed: stopped };
      const set = byRecipient.get(recipient) ?? new Set();
      set.add(state);
      byRecipient.set(recipient, set);
      return {
        async next(idleMs, signal) {
          for (;;) {
            if (state.closed || signal.aborted) return "closed";
            const item = state.queue.shift();
            if (item !== undefined) return item;
            if (state.overflow) return "overflow";
            const woken = await new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => finish(false), idleMs);
              const onAbort = () => finish(true);
              signal.addEventListener("abort", onAbort, { once: true });
              function finish(wokenUp: boolean) {
                clearTimeout(timer);
                signal.removeEventListener("abort", onAbort);
                state.wake = undefined;
                resolve(wokenUp);
              }
              state.wake = () => finish(true);
            });
            if (!woken) return "idle";
          }
        },
        close() {
          state.closed = true;
          set.delete(state);
          if (set.size === 0 && byRecipient.get(recipient) === set) byRecipient.delete(recipient);
        },
      };
    },
  };
}
