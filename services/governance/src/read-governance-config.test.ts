import { readFileSync } from "node:fs";
import { ConfigError, type Env } from "@paymesh/runtime";
import { variablesReadBy } from "@paymesh/testkit";
import { describe, expect, it } from "vitest";
import { DEVELOPMENT_SIGNING_KEY, readGovernanceConfig } from "./read-governance-config.js";

function problemsOf(env: Env): string {
  try {
    readGovernanceConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return "";
}

const DAY = 86_400_000;

describe("readGovernanceConfig", () => {
  it("has working defaults", () => {
    expect(readGovernanceConfig({})).toEqual({
      signingKey: Buffer.from(DEVELOPMENT_SIGNING_KEY, "base64"),
      votingDelayMs: DAY,
      votingPeriodMs: 3 * DAY,
      timelockMs: 2 * DAY,
      gracePeriodMs: 14 * DAY,
      workerIntervalMs: 1_000,
      limitCurrencies: ["USD", "EUR", "GBP"],
    });
  });

  it("reads each setting from its variable", () => {
    const key = Buffer.alloc(32, 9).toString("base64");
    expect(
      readGovernanceConfig({
        NODE_ENV: "production",
        GOVERNANCE_SIGNING_KEY: key,
        GOVERNANCE_VOTING_DELAY_MS: "0",
        GOVERNANCE_VOTING_PERIOD_MS: "20000",
        GOVERNANCE_TIMELOCK_MS: "5000",
        GOVERNANCE_GRACE_PERIOD_MS: "60000",
        GOVERNANCE_WORKER_INTERVAL_MS: "200",
        GOVERNANCE_LIMIT_CURRENCIES: "JPY,USD,JPY",
      }),
    ).toEqual({
      signingKey: Buffer.alloc(32, 9),
      votingDelayMs: 0,
      votingPeriodMs: 20_000,
      timelockMs: 5_000,
      gracePeriodMs: 60_000,
      workerIntervalMs: 200,
      limitCurrencies: ["JPY", "USD"],
    });
  });

  it("refuses the development signing key in production", () => {
    expect(problemsOf({ NODE_ENV: "production" })).toMatch(
      /GOVERNANCE_SIGNING_KEY: the built-in development key is refused when NODE_ENV=production/,
    );
  });

  it("reports every invalid value at once, naming its variable", () => {
    const message = problemsOf({
      GOVERNANCE_SIGNING_KEY: "c2hvcnQ=",
      GOVERNANCE_VOTING_PERIOD_MS: "5",
      GOVERNANCE_TIMELOCK_MS: "soon",
      GOVERNANCE_LIMIT_CURRENCIES: "usd",
    });
    expect(message).toMatch(/GOVERNANCE_SIGNING_KEY: expected the base64 of a 32-byte Ed25519 private key/);
    expect(message).toMatch(/GOVERNANCE_VOTING_PERIOD_MS="5": expected a whole number from 1000/);
    expect(message).toMatch(/GOVERNANCE_TIMELOCK_MS="soon"/);
    expect(message).toMatch(/GOVERNANCE_LIMIT_CURRENCIES="usd": expected ISO 4217 codes/);
  });

  it("reads only variables the governance README lists", () => {
    const read = variablesReadBy(readGovernanceConfig);
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(read.length).toBeGreaterThan(0);
    for (const name of read) expect(readme, name).toMatch(new RegExp(`\`${name}[\`=]`));
  });
});
