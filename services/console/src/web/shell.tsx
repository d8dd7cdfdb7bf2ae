import { useConsole } from "./console-context.js";
import { useLiveNotifications } from "./live-notifications.js";
import { GovernancePage } from "./pages/governance-page.js";
import { HistoryPage } from "./pages/history-page.js";
import { NotificationsPage } from "./pages/notifications-page.js";
import { OperatorPage } from "./pages/operator-page.js";
import { SendPage } from "./pages/send-page.js";
import { SettingsPage } from "./pages/settings-page.js";
import { StatementPage } from "./pages/statement-page.js";
import { WalletsPage } from "./pages/wallets-page.js";
import { useRoute } from "./use-route.js";

interface Route {
  path: string;
  label: string;
  page: () => preact.JSX.Element;
  operatorOnly?: boolean;
}

const ROUTES: Route[] = [
  { path: "/", label: "Wallets", page: WalletsPage },
  { path: "/send", label: "Send", page: SendPage },
  { path: "/history", label: "History", page: HistoryPage },
  { path: "/statement", label: "Statement", page: StatementPage },
  { path: "/notifications", label: "Notifications", page: NotificationsPage },
  { path: "/governance", label: "Governance", page: GovernancePage },
  { path: "/settings", label: "Settings", page: SettingsPage },
  { path: "/operator", label: "Operator", page: OperatorPage, operatorOnly: true },
];

/** The signed-in layout: navigation with the live unread badge, then the page the hash names. */
export function Shell() {
  const { session, signOut } = useConsole();
  const live = useLiveNotifications();
  const route = useRoute();
  const routes = ROUTES.filter((candidate) => !candidate.operatorOnly || session.role === "operator");
  const current = routes.find((candidate) => candidate.path === route) ?? routes[0]!;
  const Current = current.page;
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="#/">
          paymesh
        </a>
        <nav aria-label="Main">
          {routes.map((item) => (
            <a key={item.path} href={`#${item.path}`} aria-current={item === current ? "page" : undefined}>
              {item.label}
              {item.path === "/notifications" && live.unreadCount > 0n && (
                <span class="badge" data-testid="unread-badge">
                  {live.unreadCount.toString()}
                  <span class="visually-hidden"> unread</span>
                </span>
              )}
            </a>
          ))}
        </nav>
        <span class={`live ${live.connected ? "on" : "off"}`} data-live={live.connected ? "connected" : "reconnecting"} role="status">
          {live.connected ? "Live" : "Reconnecting…"}
        </span>
        <div class="who">
          <span title={session.subject}>
            {session.name}
            {session.role === "operator" ? " (operator)" : ""}
          </span>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main>
        <Current />
      </main>
    </div>
  );
}
