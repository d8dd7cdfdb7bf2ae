import type { Notification } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { useLiveNotifications } from "../live-notifications.js";
import { Empty, ErrorNote, Loading, Page, When } from "../ui.js";
import { usePages } from "../use-pages.js";

/** The inbox, newest first; new notifications appear as they arrive. */
export function NotificationsPage() {
  const { clients } = useConsole();
  const live = useLiveNotifications();
  const [actionError, setActionError] = useState<unknown>();
  const [generation, setGeneration] = useState(0);
  const inbox = usePages<Notification>(
    async (pageToken, signal) => {
      const page = await clients.notifications.listNotifications({ pageSize: 25, pageToken }, { signal });
      return { items: page.notifications, nextPageToken: page.nextPageToken };
    },
    [clients, live.version, generation],
  );
  const act = async (action: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await action();
      live.refreshUnread();
      setGeneration((n) => n + 1);
    } catch (caught) {
      setActionError(caught);
    }
  };
  const newest = inbox.items[0];
  return (
    <Page
      title="Notifications"
      actions={
        newest &&
        live.unreadCount > 0n && (
          <button
            type="button"
            class="secondary"
            onClick={() => act(() => clients.notifications.markRead({ target: { case: "upToId", value: newest.id } }))}
          >
            Mark all read
          </button>
        )
      }
    >
      <p class="hint" aria-live="polite">
        {live.connected ? "Live: new notifications appear here as they happen." : "Reconnecting to live updates…"}
      </p>
      <ErrorNote error={actionError} />
      <ErrorNote error={inbox.error} onRetry={inbox.loadMore} />
      {inbox.items.length === 0 ? (
        inbox.loading ? (
          <Loading what="your notifications" />
        ) : (
          <Empty>Nothing yet. You will be told here when money moves or a vote needs you.</Empty>
        )
      ) : (
        <ul class="inbox" data-testid="inbox">
          {inbox.items.map((notification) => (
            <li key={notification.id} class={notification.readTime ? "read" : "unread"}>
              <div>
                <strong>{notification.title}</strong>
                <p>{notification.body}</p>
                <p class="hint">
                  <When time={notification.createTime} />
                </p>
              </div>
              <div class="row-actions">
                {!notification.readTime && (
                  <button
                    type="button"
                    class="link"
                    onClick={() =>
                      act(() => clients.notifications.markRead({ target: { case: "ids", value: { ids: [notification.id] } } }))
                    }
                  >
                    Mark read
                  </button>
                )}
                <button
                  type="button"
                  class="link"
                  onClick={() => act(() => clients.notifications.archive({ ids: { ids: [notification.id] } }))}
                >
                  Archive
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {inbox.more && (
        <button type="button" class="secondary" onClick={inbox.loadMore} disabled={inbox.loading}>
          {inbox.loading ? "Loading…" : "Show older"}
        </button>
      )}
    </Page>
  );
}
