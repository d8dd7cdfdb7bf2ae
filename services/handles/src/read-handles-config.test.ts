import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "@paymesh/runtime";
import { variablesReadBy } from "@paymesh/testkit";
import { describe, expect, it } from "vitest";
import { DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_INDEX_KEY, readHandlesConfig } from "./read-handles-config.js";

const b64 = () => randomBytes(32).toString("base64");

function problemsOf(env: Record<string, string>, nodeEnv = "development"): string {
  try {
    readHandlesConfig(env, nodeEnv);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return "";
}

describe("readHandlesConfig", () => {
  it("has working development defaults", () => {
    const config = readHandlesConfig({}, "development");
    expect(config.network).toBe("paymesh");
    expect(config.redisPrefix).toBe("paymesh:handles:");
    expect(config.cooldownSeconds).toBe(30 * 24 * 3600);
    expect(config.redisTimeoutMs).toBe(20);
    expect(config.bucket).toEqual({ capacity: 100, refillPerMinute: 60, hitCost: 1, missCost: 20 });
    expect(config.lookupPolicyRefreshMs).toBe(500);
    expect(config.keyring.currentKeyId).toBe("dev");
  });

  it("refuses the development keys in production, whether defaulted or given", () => {
    const message = problemsOf({}, "production");
    expect(message).toMatch(/HANDLES_ENCRYPTION_KEYS: the built-in development key/);
    expect(message).toMatch(/HANDLES_BLIND_INDEX_KEY: the built-in development key/);
    const given = problemsOf(
      {
        HANDLES_ENCRYPTION_KEYS: `k1:${DEVELOPMENT_ENCRYPTION_KEY.toString("base64")}`,
        HANDLES_BLIND_INDEX_KEY: DEVELOPMENT_INDEX_KEY.toString("base64"),
      },
      "production",
    );
    expect(given).toMatch(/HANDLES_ENCRYPTION_KEYS/);
    expect(given).toMatch(/HANDLES_BLIND_INDEX_KEY/);
    expect(problemsOf({ HANDLES_ENCRYPTION_KEYS: `k1:${b64()}`, HANDLES_BLIND_INDEX_KEY: b64() }, "production")).toBe("");
  });

  it("reads a ring and its current key", () => {
    const config = readHandlesConfig(
      { HANDLES_ENCRYPTION_KEYS: `k1:${b64()}, k2:${b64()}`, HANDLES_ENCRYPTION_KEY_ID: "k2" },
      "development",
    );
    expect(config.keyring.keyIds).toEqual(["k1", "k2"]);
    expect(config.keyring.currentKeyId).toBe("k2");
  });

  it("needs the current key named when the ring has several", () => {
    expect(problemsOf({ HANDLES_ENCRYPTION_KEYS: `k1:${b64()},k2:${b64()}` })).toMatch(
      /HANDLES_ENCRYPTION_KEY_ID: must name one of the keys/,
    );
    expect(problemsOf({ HANDLES_ENCRYPTION_KEYS: `k1:${b64()},k2:${b64()}`, HANDLES_ENCRYPTION_KEY_ID: "k3" })).toMatch(
      /HANDLES_ENCRYPTION_KEY_ID/,
    );
  });

  it("reports every problem at once, naming the variable", () => {
    const message = problemsOf({
      HANDLES_ENCRYPTION_KEYS: `k1:${b64()},k2:short,k1:${b64()}`,
      HANDLES_BLIND_INDEX_KEY: "c2hvcnQ=",
      HANDLES_BUCKET_CAPACITY: "0",
      HANDLES_NETWORK: "Not A Network",
    });
    expect(message).toMatch(/HANDLES_ENCRYPTION_KEYS: each entry must be/);
    expect(message).toMatch(/key id k1 appears twice/);
    expect(message).toMatch(/HANDLES_BLIND_INDEX_KEY: must be the base64 of 32 bytes/);
    expect(message).toMatch(/HANDLES_BUCKET_CAPACITY/);
    expect(message).toMatch(/HANDLES_NETWORK/);
  });

  it("refuses a lookup bucket that would charge a miss less than its price, as SetLookupPolicy does", () => {
    expect(problemsOf({ HANDLES_LOOKUP_HIT_COST: "5", HANDLES_LOOKUP_MISS_COST: "4" })).toMatch(
      /HANDLES_LOOKUP_MISS_COST: HANDLES_LOOKUP_MISS_COST \(4\) must not be less than HANDLES_LOOKUP_HIT_COST \(5\)/,
    );
    expect(problemsOf({ HANDLES_BUCKET_CAPACITY: "19" })).toMatch(
      /HANDLES_BUCKET_CAPACITY: HANDLES_BUCKET_CAPACITY \(19\) must be at least HANDLES_LOOKUP_MISS_COST \(20\)/,
    );
    expect(problemsOf({ HANDLES_BUCKET_CAPACITY: "20" })).toBe("");
    expect(problemsOf({ HANDLES_LOOKUP_POLICY_REFRESH_MS: "0" })).toMatch(/HANDLES_LOOKUP_POLICY_REFRESH_MS/);
  });

  it("reads only variables the handles README lists", () => {
    const read = variablesReadBy((env) => readHandlesConfig(env, "development"));
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    expect(read.length).toBeGreaterThan(0);
    // In code, alone or with a value: `NAME` or `NAME=...`.
    for (const name of read) expect(readme, name).toMatch(new RegExp(`\`${name}[\`=]`));
  });
});
