import { createEnvReader, type Env } from "@paymesh/runtime";

/**
 * The development signing key (base64 of a 32-byte Ed25519 private key), so `npm start` works on
 * a fresh machine. It is public, being in the repository, so anyone could sign tree heads with
 * it: refused when NODE_ENV=production.
 */
export const DEVELOPMENT_SIGNING_KEY = "qromX+b3HQ5aQeXrOQIKLJJQcOTJcGPttzl5VQmw03E=";

const DAY_MS = 86_400_000;

/** The governance service's own settings (beside the shared ones of loadConfig). */
export interface GovernanceConfig {
  /** `GOVERNANCE_SIGNING_KEY`: the Ed25519 private key tree heads are signed with (32 bytes). */
  signingKey: Uint8Array;
  /** `GOVERNANCE_VOTING_DELAY_MS`, default 1 day: time between a proposal and its vote, for members to read it. */
  votingDelayMs: number;
  /** `GOVERNANCE_VOTING_PERIOD_MS`, default 3 days: how long voting stays open. */
  votingPeriodMs: number;
  /** `GOVERNANCE_TIMELOCK_MS`, default 2 days (Compound's minimum): between passing and execution, so people can react. */
  timelockMs: number;
  /** `GOVERNANCE_GRACE_PERIOD_MS`, default 14 days (Compound's): how long after its timelock a passed proposal may still execute. */
  gracePeriodMs: number;
  /** `GOVERNANCE_WORKER_INTERVAL_MS`, default 1 000: how often the worker closes, queues and executes. */
  workerIntervalMs: number;
  /** `GOVERNANCE_LIMIT_CURRENCIES`, default `USD,EUR,GBP`: the currencies whose transfer limits are governable. */
  limitCurrencies: string[];
}

/**
 * Reads the governance settings with the runtime's fail-at-start rules: every problem is
 * reported at once, naming its variable.
 */
export function readGovernanceConfig(env: Env): GovernanceConfig {
  const reader = createEnvReader(env);
  const nodeEnv = reader.string("NODE_ENV", "development");
  const key = reader.string("GOVERNANCE_SIGNING_KEY", DEVELOPMENT_SIGNING_KEY);
  const signingKey = Buffer.from(key, "base64");
  if (nodeEnv === "production" && key === DEVELOPMENT_SIGNING_KEY) {
    reader.problem("GOVERNANCE_SIGNING_KEY", "the built-in development key is refused when NODE_ENV=production");
  } else if (!/^[A-Za-z0-9+/]{43}=$/.test(key) || signingKey.length !== 32) {
    reader.problem("GOVERNANCE_SIGNING_KEY", "expected the base64 of a 32-byte Ed25519 private key (openssl rand -base64 32)");
  }
  const currencies = reader.match(
    "GOVERNANCE_LIMIT_CURRENCIES",
    "USD,EUR,GBP",
    /^[A-Z]{3}(,[A-Z]{3})*$/,
    "ISO 4217 codes separated by commas",
  );
  const config: GovernanceConfig = {
    signingKey,
    votingDelayMs: reader.integer("GOVERNANCE_VOTING_DELAY_MS", DAY_MS, 0, 30 * DAY_MS),
    votingPeriodMs: reader.integer("GOVERNANCE_VOTING_PERIOD_MS", 3 * DAY_MS, 1_000, 30 * DAY_MS),
    timelockMs: reader.integer("GOVERNANCE_TIMELOCK_MS", 2 * DAY_MS, 0, 30 * DAY_MS),
    gracePeriodMs: reader.integer("GOVERNANCE_GRACE_PERIOD_MS", 14 * DAY_MS, 1_000, 90 * DAY_MS),
    workerIntervalMs: reader.integer("GOVERNANCE_WORKER_INTERVAL_MS", 1_000, 10, 3_600_000),
    limitCurrencies: [...new Set(currencies.split(","))],
  };
  reader.finish();
  return config;
}
