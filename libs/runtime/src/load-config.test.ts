import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { DEFAULT_RETENTION, DEVELOPMENT_AUTH_SECRET, loadConfig } from "./load-config.js";

describe("loadConfig", () => {
  it("has working defaults for development", () => {
    const config = loadConfig({ service: "ledger", defaultPort: 7102, env: {} });
    expect(config).toMatchObject({ port: 7102, host: "127.0.0.1", subjectPrefix: "paymesh", auth: { secret: DEVELOPMENT_AUTH_SECRET } });
  });

  it("names every bad variable at once", () => {
    const load = () =>
      loadConfig({
        service: "ledger",
        defaultPort: 7102,
        env: { PORT: "seventy", NATS_URL: "http://x", LOG_LEVEL: "loud", TLS_CERT_FILE: "/c.pem" },
      });
    expect(load).toThrow(ConfigError);
    try {
      load();
    } catch (error) {
      const message = (error as ConfigError).message;
      for (const name of ["PORT", "NATS_URL", "LOG_LEVEL", "TLS_KEY_FILE"]) expect(message).toContain(name);
    }
  });

  it("reads requests up to 1 MiB unless REQUEST_MAX_BYTES says otherwise, from 1 KiB to connect's 4 GiB cap", () => {
    const load = (env: Record<string, string>) => loadConfig({ service: "x", defaultPort: 1, env });
    expect(load({}).requestMaxBytes).toBe(1_048_576);
    expect(load({ REQUEST_MAX_BYTES: "65536" }).requestMaxBytes).toBe(65_536);
    for (const bad of ["1m", "1023", "4294967296"]) expect(() => load({ REQUEST_MAX_BYTES: bad })).toThrow(/REQUEST_MAX_BYTES/);
  });

  it("keeps one copy of each stream unless EVENTS_STREAM_REPLICAS says otherwise, from 1 to JetStream's 5", () => {
    const load = (env: Record<string, string>) => loadConfig({ service: "x", defaultPort: 1, env });
    expect(load({}).streamReplicas).toBe(1);
    expect(load({ EVENTS_STREAM_REPLICAS: "3" }).streamReplicas).toBe(3);
    for (const bad of ["0", "6", "three"]) expect(() => load({ EVENTS_STREAM_REPLICAS: bad })).toThrow(/EVENTS_STREAM_REPLICAS/);
  });

  it("refuses the development secret in production, and short secrets anywhere", () => {
    expect(() => loadConfig({ service: "x", defaultPort: 1, env: { NODE_ENV: "production" } })).toThrow(/AUTH_JWT_SECRET.*production/);
    expect(() => loadConfig({ service: "x", defaultPort: 1, env: { AUTH_JWT_SECRET: "short" } })).toThrow(/AUTH_JWT_SECRET.*32 bytes/);
    const strong = "x".repeat(48);
    expect(loadConfig({ service: "x", defaultPort: 1, env: { NODE_ENV: "production", AUTH_JWT_SECRET: strong } }).auth.secret).toBe(strong);
  });

  it("does not echo URL values, which may hold passwords", () => {
    expect(() => loadConfig({ service: "x", defaultPort: 1, env: { POSTGRES_URL: "mysql://u:hunter2@h/db" } })).toThrow(/^(?!.*hunter2)/s);
  });

  it("keeps event rows a week and prunes every minute by default; a service may default otherwise, the environment decides", () => {
    const week = 7 * 24 * 3_600_000;
    expect(DEFAULT_RETENTION).toEqual({ outboxMs: week, processedEventsMs: week, intervalMs: 60_000 });
    expect(loadConfig({ service: "x", defaultPort: 1, env: {} }).retention).toEqual(DEFAULT_RETENTION);
    const handlesLike = { service: "x", defaultPort: 1, retention: { outboxMs: 60_000, intervalMs: 5_000 } };
    expect(loadConfig({ ...handlesLike, env: {} }).retention).toEqual({ outboxMs: 60_000, processedEventsMs: week, intervalMs: 5_000 });
    expect(
      loadConfig({
        ...handlesLike,
        env: { OUTBOX_RETENTION_MS: "0", PROCESSED_EVENTS_RETENTION_MS: "7200000", RETENTION_INTERVAL_MS: "50" },
      }).retention,
    ).toEqual({ outboxMs: 0, processedEventsMs: 7_200_000, intervalMs: 50 });
  });

  it("refuses retention settings that are not whole milliseconds in range, and a processed-events retention under an hour", () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ service: "x", defaultPort: 1, env });
      } catch (error) {
        return (error as ConfigError).problems.join("\n");
      }
      return "";
    };
    const message = problems({ OUTBOX_RETENTION_MS: "7d", RETENTION_INTERVAL_MS: "0", PROCESSED_EVENTS_RETENTION_MS: "-1" });
    expect(message).toMatch(/^OUTBOX_RETENTION_MS="7d": expected a whole number/m);
    expect(message).toMatch(/^RETENTION_INTERVAL_MS="0": expected a whole number from 10/m);
    expect(message).toMatch(/^PROCESSED_EVENTS_RETENTION_MS="-1": expected a whole number/m);
    expect(problems({ PROCESSED_EVENTS_RETENTION_MS: "120000" })).toMatch(
      /^PROCESSED_EVENTS_RETENTION_MS: must be at least 3600000 \(1 hour\): a processed event's row must outlive every redelivery/m,
    );
    expect(problems({ PROCESSED_EVENTS_RETENTION_MS: "3600000" })).toBe("");
  });
});
