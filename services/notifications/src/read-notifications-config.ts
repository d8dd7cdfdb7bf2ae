import { createEnvReader, type Env } from "@paymesh/runtime";

/** The notifications service's own settings (beside the shared ones of loadConfig). */
export interface NotificationsConfig {
  /**
   * How long a live stream may go without a message before it gets a heartbeat.
   * `NOTIFICATIONS_HEARTBEAT_MS`, default 15 000: under the 30 to 60 s after which common proxies
   * and load balancers drop a response that sends nothing.
   */
  heartbeatMs: number;
  /**
   * Notifications a live stream may hold unsent before it is closed as too slow (ABORTED, to
   * resume from its cursor). `NOTIFICATIONS_WATCH_BUFFER`, default 256: far more than a person
   * receives in the time a healthy connection takes to drain, little memory per stream.
   */
  watchBuffer: number;
}

/**
 * Reads the notifications settings with the runtime's fail-at-start rules: every problem is
 * reported at once, naming its variable.
 */
export function readNotificationsConfig(env: Env): NotificationsConfig {
  const reader = createEnvReader(env);
  const config: NotificationsConfig = {
    heartbeatMs: reader.integer("NOTIFICATIONS_HEARTBEAT_MS", 15_000, 50, 600_000),
    watchBuffer: reader.integer("NOTIFICATIONS_WATCH_BUFFER", 256, 1, 100_000),
  };
  reader.finish();
  return config;
}
