import { Code, ConnectError } from "@connectrpc/connect";
import type { Notification } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { type ComponentChildren, createContext } from "preact";
import { useContext, useEffect, useMemo, useState } from "preact/hooks";
import { useConsole } from "./console-context.js";

export interface LiveNotifications {
  /** Unread, unarchived notifications, as the service last said. */
  unreadCount: bigint;
  /** Notifications that arrived since the page opened, newest first. */
  arrived: Notification[];
  /** Counts arrivals: pages showing money reload when it changes, so balances follow payments. */
  version: number;
  /** Whether the live stream is open (false while it reconnects). */
  connected: boolean;
  /** Asks for the unread count now (after marking read, which the stream does not announce). */
  refreshUnread(): void;
}

const LiveContext = createContext<LiveNotifications>({
  unreadCount: 0n,
  arrived: [],
  version: 0,
  connected: false,
  refreshUnread: () => {},
});

export function useLiveNotifications(): LiveNotifications {
  return useContext(LiveContext);
}

/** Longest wait between reconnection attempts; the first is after 1 s, doubling. */
const MAX_RETRY_MS = 15_000;

/**
 * Keeps `WatchNotifications` open for the signed-in person for as long as the console is open,
 * resuming from the last notification's cursor after any break, so nothing is missed or shown twice.
 */
export function LiveNotificationsProvider(props: { children: ComponentChildren }) {
  const { clients } = useConsole();
  const [unreadCount, setUnreadCount] = useState(0n);
  const [arrived, setArrived] = useState<Notification[]>([]);
  const [connected, setConnected] = useState(false);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    void (async () => {
      let after = "";
      try {
        const newest = await clients.notifications.listNotifications({ pageSize: 1, includeArchived: true }, { signal });
        after = newest.notifications[0]?.cursor ?? "";
      } catch {
        // The stream below retries; starting from "now" only risks missing what came meanwhile.
      }
      let retryMs = 1_000;
      while (!signal.aborted) {
        try {
          for await (const message of clients.notifications.watchNotifications({ after }, { signal, timeoutMs: 0 })) {
            setConnected(true);
            retryMs = 1_000;
            setUnreadCount(message.unreadCount);
            if (message.event.case === "notification") {
              const notification = message.event.value;
              after = notification.cursor;
              setArrived((previous) => [notification, ...previous].slice(0, 100));
              setVersion((n) => n + 1);
            }
          }
        } catch (error) {
          if (signal.aborted) return;
          if (error instanceof ConnectError && error.code === Code.Unauthenticated) return;
        }
        setConnected(false);
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    })();
    return () => controller.abort();
  }, [clients]);

  const value = useMemo<LiveNotifications>(
    () => ({
      unreadCount,
      arrived,
      version,
      connected,
      refreshUnread: () => {
        clients.notifications.getUnreadCount({}).then(
          (response) => setUnreadCount(response.unreadCount),
          () => {},
        );
      },
    }),
    [unreadCount, arrived, version, connected, clients],
  );
  return <LiveContext.Provider value={value}>{props.children}</LiveContext.Provider>;
}
