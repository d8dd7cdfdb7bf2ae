import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "@paymesh/runtime";
import { variablesReadBy } from "@paymesh/testkit";
import { describe, expect, it } from "vitest";
import { readConsoleConfig } from "./read-console-config.js";

describe("readConsoleConfig", () => {
  it("finds the services where npm start puts them, and builds the page itself", () => {
    const config = readConsoleConfig({});
    expect(config.port).toBe(7100);
    expect(config.services).toEqual({
      handles: "http://127.0.0.1:7101",
      ledger: "http://127.0.0.1:7102",
      transfers: "http://127.0.0.1:7103",
      notifications: "http://127.0.0.1:7104",
      governance: "http://127.0.0.1:7105",
    });
    expect(config.staticDir).toBeUndefined();
    expect(config.auth?.issuer).toBe("paymesh");
  });

  it("holds no signing secret in production, where it signs nothing", () => {
    const config = readConsoleConfig({ NODE_ENV: "production", AUTH_JWT_SECRET: "x".repeat(48) });
    expect(config.auth).toBeUndefined();
    const read: string[] = [];
    readConsoleConfig(
      new Proxy({} as Record<string, string | undefined>, {
        get: (_target, name) => {
          read.push(String(name));
          return name === "NODE_ENV" ? "production" : undefined;
        },
      }),
    );
    expect(read).toContain("LEDGER_PUBLIC_URL");
    expect(read.filter((name) => name.startsWith("AUTH_"))).toEqual([]);
  });

  it("reads where browsers reach the services, and names each bad one of them at once", () => {
    expect(readConsoleConfig({ LEDGER_PUBLIC_URL: "https://ledger.pay.example" }).services.ledger).toBe("https://ledger.pay.example");
    let message = "";
    try {
      readConsoleConfig({ LEDGER_PUBLIC_URL: "ftp://x", GOVERNANCE_PUBLIC_URL: "nope" });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      message = error.message;
    }
    expect(message).toMatch(/LEDGER_PUBLIC_URL/);
    expect(message).toMatch(/GOVERNANCE_PUBLIC_URL/);
  });

  it("documents every variable it reads of its own in the README", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    const own = variablesReadBy(readConsoleConfig);
    expect(own.length).toBe(12);
    for (const name of own) expect(readme, name).toContain(`\`${name}\``);
  });
});
