import { readFileSync } from "node:fs";
import { ConfigError, type Env } from "@paymesh/runtime";
import { variablesReadBy } from "@paymesh/testkit";
import { describe, expect, it } from "vitest";
import { readTransfersConfig } from "./read-transfers-config.js";

function problemsOf(env: Env): string {
  try {
    readTransfersConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return "";
}

describe("readTransfersConfig", () => {
  it("has working defaults", () => {
    expect(readTransfersConfig({})).toEqual({ recoveryIntervalMs: 1_000, recoveryAfterMs: 10_000, idempotencyFastPath: true });
  });

  it("reads each setting from its variable", () => {
    expect(
      readTransfersConfig({
        TRANSFERS_RECOVERY_INTERVAL_MS: "200",
        TRANSFERS_RECOVERY_AFTER_MS: "1500",
        TRANSFERS_IDEMPOTENCY_FAST_PATH: "off",
      }),
    ).toEqual({ recoveryIntervalMs: 200, recoveryAfterMs: 1_500, idempotencyFastPath: false });
  });

  it("reports every invalid value at once, naming its variable", () => {
    const message = problemsOf({
      TRANSFERS_RECOVERY_INTERVAL_MS: "5",
      TRANSFERS_RECOVERY_AFTER_MS: "soon",
      TRANSFERS_IDEMPOTENCY_FAST_PATH: "yes",
    });
    expect(message).toMatch(/TRANSFERS_RECOVERY_INTERVAL_MS="5": expected a whole number from 10/);
    expect(message).toMatch(/TRANSFERS_RECOVERY_AFTER_MS="soon": expected a whole number from 100/);
    expect(message).toMatch(/TRANSFERS_IDEMPOTENCY_FAST_PATH="yes": expected on or off/);
  });

  it("reads only variables the transfers README lists", () => {
    const read = variablesReadBy(readTransfersConfig);
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(read.length).toBeGreaterThan(0);
    // In code, alone or with a value: `NAME` or `NAME=...`.
    for (const name of read) expect(readme, name).toMatch(new RegExp(`\`${name}[\`=]`));
  });
});
