import { createEnvReader, type Env } from "@paymesh/runtime";

/** The ledger's own settings (beside the shared ones of loadConfig). */
export interface LedgerConfig {
  /**
   * How often pending entries past their timeout are released. `LEDGER_EXPIRY_INTERVAL_MS`,
   * default 1 000: a reservation outlives its timeout by at most about that long, and
   * PostPending refuses an expired entry at once either way.
   */
  expiryIntervalMs: number;
}

/**
 * Reads the ledger's settings with the runtime's fail-at-start rules: every problem is reported
 * at once, naming its variable.
 */
export function readLedgerConfig(env: Env): LedgerConfig {
  const reader = createEnvReader(env);
  const config: LedgerConfig = {
    expiryIntervalMs: reader.integer("LEDGER_EXPIRY_INTERVAL_MS", 1_000, 10, 3_600_000),
  };
  reader.finish();
  return config;
}
