import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.js";
import { DEVELOPMENT_AUTH_SECRET, loadConfig } from "./load-config.js";

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

  it("refuses the development secret in production, and short secrets anywhere", () => {
    expect(() => loadConfig({ service: "x", defaultPort: 1, env: { NODE_ENV: "production" } })).toThrow(/AUTH_JWT_SECRET.*production/);
    expect(() => loadConfig({ service: "x", defaultPort: 1, env: { AUTH_JWT_SECRET: "short" } })).toThrow(/AUTH_JWT_SECRET.*32 bytes/);
    const strong = "x".repeat(48);
    expect(loadConfig({ service: "x", defaultPort: 1, env: { NODE_ENV: "production", AUTH_JWT_SECRET: strong } }).auth.secret).toBe(strong);
  });

  it("does not echo URL values, which may hold passwords", () => {
    expect(() => loadConfig({ service: "x", defaultPort: 1, env: { POSTGRES_URL: "mysql://u:hunter2@h/db" } })).toThrow(/^(?!.*hunter2)/s);
  });
});
