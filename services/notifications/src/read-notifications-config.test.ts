import { readFileSync } from "node:fs";
import { ConfigError, type Env } from "@paymesh/runtime";
import { variablesReadBy } from "@paymesh/testkit";
import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_SCHEDULE_MS, readNotificationsConfig } from "./read-notifications-config.js";

function problemsOf(env: Env): string {
  try {
    readNotificationsConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return "";
}

describe("readNotificationsConfig", () => {
  it("has working defaults", () => {
    expect(readNotificationsConfig({})).toMatchObject({
      heartbeatMs: 15_000,
      watchBuffer: 256,
      retryScheduleMs: DEFAULT_RETRY_SCHEDULE_MS,
      webhookTimeoutMs: 15_000,
      webhookDisableAfterMs: 5 * 86_400_000,
      allowPrivateEndpoints: false,
      requireHttps: false,
      smtpUrl: undefined,
      sms: undefined,
      push: undefined,
    });
    expect(readNotificationsConfig({ NODE_ENV: "production" }).requireHttps).toBe(true);
  });

  it("reads each setting from its variable", () => {
    expect(
      readNotificationsConfig({
        NOTIFICATIONS_RETRY_SCHEDULE_MS: "0, 100,2000",
        NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE: "on",
        NOTIFICATIONS_SMTP_URL: "smtp://127.0.0.1:1025",
        NOTIFICATIONS_SMS_URL: "https://sms.example/messages",
        NOTIFICATIONS_SMS_TOKEN: "t",
      }),
    ).toMatchObject({
      retryScheduleMs: [0, 100, 2000],
      allowPrivateEndpoints: true,
      smtpUrl: "smtp://127.0.0.1:1025",
      sms: { url: "https://sms.example/messages", token: "t" },
    });
  });

  it("reports every invalid value at once, naming its variable", () => {
    const message = problemsOf({
      NOTIFICATIONS_HEARTBEAT_MS: "10",
      NOTIFICATIONS_RETRY_SCHEDULE_MS: "5,soon",
      NOTIFICATIONS_SMTP_URL: "http://mail",
      NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE: "yes",
    });
    expect(message).toMatch(/NOTIFICATIONS_HEARTBEAT_MS="10": expected a whole number from 50/);
    expect(message).toMatch(/NOTIFICATIONS_RETRY_SCHEDULE_MS: expected 1 to 50 comma-separated delays/);
    expect(message).toMatch(/NOTIFICATIONS_SMTP_URL: expected a URL starting with smtp: or smtps:/);
    expect(message).toMatch(/NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE="yes": expected on or off/);
    expect(problemsOf({ NOTIFICATIONS_RETRY_SCHEDULE_MS: "100,200" })).toMatch(/first attempt's and must be 0/);
    expect(problemsOf({ NODE_ENV: "production", NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE: "on" })).toMatch(
      /must be off when NODE_ENV=production/,
    );
  });

  it("reads only variables the notifications README lists", () => {
    const read = variablesReadBy(readNotificationsConfig);
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(read.length).toBeGreaterThan(0);
    for (const name of read) expect(readme, name).toMatch(new RegExp(`\`${name}[\`=]`));
  });
});
