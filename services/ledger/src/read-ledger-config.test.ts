import { readFileSync } from "node:fs";
import { ConfigError } from "@paymesh/runtime";
import { variablesReadBy } from "@paymesh/testkit";
import { describe, expect, it } from "vitest";
import { readLedgerConfig } from "./read-ledger-config.js";

describe("readLedgerConfig", () => {
  it("has working defaults", () => {
    expect(readLedgerConfig({})).toEqual({ expiryIntervalMs: 1_000 });
  });

  it("reads each setting from its variable", () => {
    expect(readLedgerConfig({ LEDGER_EXPIRY_INTERVAL_MS: "50" }).expiryIntervalMs).toBe(50);
  });

  it("refuses an invalid value, naming the variable", () => {
    for (const value of ["0", "fast", "3600001", "1.5"]) {
      expect(() => readLedgerConfig({ LEDGER_EXPIRY_INTERVAL_MS: value })).toThrow(ConfigError);
      expect(() => readLedgerConfig({ LEDGER_EXPIRY_INTERVAL_MS: value })).toThrow(
        /LEDGER_EXPIRY_INTERVAL_MS=.*expected a whole number from 10/,
      );
    }
  });

  it("reads only variables the ledger's README lists", () => {
    const read = variablesReadBy(readLedgerConfig);
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(read.length).toBeGreaterThan(0);
    // In code, alone or with a value: `NAME` or `NAME=...`.
    for (const name of read) expect(readme, name).toMatch(new RegExp(`\`${name}[\`=]`));
  });
});
