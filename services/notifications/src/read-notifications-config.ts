import { createEnvReader, type Env, type EnvReader } from "@paymesh/runtime";

/** The Standard Webhooks retry schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const DEFAULT_RETRY_SCHEDULE_MS = [
  0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000,
];

const DAY_MS = 86_400_000;

/** An HTTP provider (SMS or push) as configured; undefined when the channel is off. */
export interface ProviderConfig {
  url: string;
  /** Sent as `authorization: Bearer <token>`; "" sends none. */
  token: string;
}

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
  /**
   * Delay before each attempt of a delivery: the first (0, at once) after its creation, each
   * next after the previous failure; its length is the number of attempts. `NOTIFICATIONS_RETRY_SCHEDULE_MS`,
   * comma-separated, default DEFAULT_RETRY_SCHEDULE_MS (tests inject a short one).
   */
  retryScheduleMs: number[];
  /** Each retry delay is moved by up to this fraction either way, so failed deliveries do not return in lockstep. `NOTIFICATIONS_RETRY_JITTER_PERCENT`, default 10. */
  retryJitterPercent: number;
  /** How long a webhook request may take. `NOTIFICATIONS_WEBHOOK_TIMEOUT_MS`, default 15 000 (Standard Webhooks). */
  webhookTimeoutMs: number;
  /** An endpoint whose every attempt failed for this long is disabled and its owner told. `NOTIFICATIONS_WEBHOOK_DISABLE_AFTER_MS`, default 5 days. */
  webhookDisableAfterMs: number;
  /** How long the previous secret still signs after a rotation. `NOTIFICATIONS_WEBHOOK_SECRET_OVERLAP_MS`, default 24 h. */
  secretOverlapMs: number;
  /**
   * Whether endpoints may be on loopback, private, link-local or otherwise internal addresses.
   * `NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE`, `off` (default) or `on` (development and tests only:
   * on, any user can make the service call into its own network).
   */
  allowPrivateEndpoints: boolean;
  /** Whether endpoints must be https. `NOTIFICATIONS_WEBHOOK_REQUIRE_HTTPS`, default `on` when NODE_ENV=production, else `off`. */
  requireHttps: boolean;
  /** How often the delivery worker looks for due deliveries. `NOTIFICATIONS_DELIVERY_INTERVAL_MS`, default 200. */
  deliveryIntervalMs: number;
  /** Deliveries one worker pass claims and sends at once. `NOTIFICATIONS_DELIVERY_BATCH`, default 50. */
  deliveryBatch: number;
  /** SMTP server for email, e.g. `smtp://127.0.0.1:1025`. `NOTIFICATIONS_SMTP_URL`, default none: no email. */
  smtpUrl: string | undefined;
  /** The From of every email. `NOTIFICATIONS_EMAIL_FROM`, default `paymesh <notifications@paymesh.local>`. */
  emailFrom: string;
  /** SMS provider. `NOTIFICATIONS_SMS_URL` and `NOTIFICATIONS_SMS_TOKEN`, default none: no SMS. */
  sms: ProviderConfig | undefined;
  /** Push provider. `NOTIFICATIONS_PUSH_URL` and `NOTIFICATIONS_PUSH_TOKEN`, default none: no push. */
  push: ProviderConfig | undefined;
}

function optionalUrl(reader: EnvReader, name: string, protocols: readonly string[]): string | undefined {
  const value = reader.string(name, "");
  return value === "" ? undefined : reader.url(name, value, protocols);
}

function onOff(reader: EnvReader, name: string, fallback: boolean): boolean {
  return reader.match(name, fallback ? "on" : "off", /^(on|off)$/, "on or off") === "on";
}

function schedule(reader: EnvReader): number[] {
  const value = reader.string("NOTIFICATIONS_RETRY_SCHEDULE_MS", DEFAULT_RETRY_SCHEDULE_MS.join(","));
  const delays = value.split(",").map((part) => part.trim());
  if (delays.length > 50 || !delays.every((part) => /^\d{1,9}$/.test(part))) {
    reader.problem("NOTIFICATIONS_RETRY_SCHEDULE_MS", "expected 1 to 50 comma-separated delays in milliseconds");
    return DEFAULT_RETRY_SCHEDULE_MS;
  }
  if (delays[0] !== "0") reader.problem("NOTIFICATIONS_RETRY_SCHEDULE_MS", "the first delay is the first attempt's and must be 0");
  return delays.map(Number);
}

/**
 * Reads the notifications settings with the runtime's fail-at-start rules: every problem is
 * reported at once, naming its variable.
 */
export function readNotificationsConfig(env: Env): NotificationsConfig {
  const reader = createEnvReader(env);
  const production = env.NODE_ENV === "production";
  const smsUrl = optionalUrl(reader, "NOTIFICATIONS_SMS_URL", ["http:", "https:"]);
  const pushUrl = optionalUrl(reader, "NOTIFICATIONS_PUSH_URL", ["http:", "https:"]);
  const config: NotificationsConfig = {
    heartbeatMs: reader.integer("NOTIFICATIONS_HEARTBEAT_MS", 15_000, 50, 600_000),
    watchBuffer: reader.integer("NOTIFICATIONS_WATCH_BUFFER", 256, 1, 100_000),
    retryScheduleMs: schedule(reader),
    retryJitterPercent: reader.integer("NOTIFICATIONS_RETRY_JITTER_PERCENT", 10, 0, 50),
    webhookTimeoutMs: reader.integer("NOTIFICATIONS_WEBHOOK_TIMEOUT_MS", 15_000, 100, 120_000),
    webhookDisableAfterMs: reader.integer("NOTIFICATIONS_WEBHOOK_DISABLE_AFTER_MS", 5 * DAY_MS, 0, 365 * DAY_MS),
    secretOverlapMs: reader.integer("NOTIFICATIONS_WEBHOOK_SECRET_OVERLAP_MS", DAY_MS, 0, 30 * DAY_MS),
    allowPrivateEndpoints: onOff(reader, "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE", false),
    requireHttps: onOff(reader, "NOTIFICATIONS_WEBHOOK_REQUIRE_HTTPS", production),
    deliveryIntervalMs: reader.integer("NOTIFICATIONS_DELIVERY_INTERVAL_MS", 200, 10, 60_000),
    deliveryBatch: reader.integer("NOTIFICATIONS_DELIVERY_BATCH", 50, 1, 1_000),
    smtpUrl: optionalUrl(reader, "NOTIFICATIONS_SMTP_URL", ["smtp:", "smtps:"]),
    emailFrom: reader.string("NOTIFICATIONS_EMAIL_FROM", "paymesh <notifications@paymesh.local>"),
    sms: smsUrl === undefined ? undefined : { url: smsUrl, token: reader.string("NOTIFICATIONS_SMS_TOKEN", "") },
    push: pushUrl === undefined ? undefined : { url: pushUrl, token: reader.string("NOTIFICATIONS_PUSH_TOKEN", "") },
  };
  if (production && config.allowPrivateEndpoints) {
    reader.problem("NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE", "must be off when NODE_ENV=production");
  }
  reader.finish();
  return config;
}
