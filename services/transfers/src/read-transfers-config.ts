import { createEnvReader, type Env } from "@paymesh/runtime";

/** The transfers service's own settings (beside the shared ones of loadConfig). */
export interface TransfersConfig {
  /** How often recovery looks for transfers left in flight. `TRANSFERS_RECOVERY_INTERVAL_MS`, default 1 000. */
  recoveryIntervalMs: number;
  /**
   * How long a transfer must have been INITIATED before recovery takes it over.
   * `TRANSFERS_RECOVERY_AFTER_MS`, default 10 000: twice the ledger call's 5 s deadline, so the
   * request that recorded it has finished or given up before recovery posts its entry again.
   */
  recoveryAfterMs: number;
  /**
   * Whether concurrent duplicates of a request meet in Redis first. `TRANSFERS_IDEMPOTENCY_FAST_PATH`,
   * `on` (default) or `off`; off, the database's unique key alone decides, with the same answers.
   */
  idempotencyFastPath: boolean;
}

/**
 * Reads the transfers settings with the runtime's fail-at-start rules: every problem is reported
 * at once, naming its variable.
 */
export function readTransfersConfig(env: Env): TransfersConfig {
  const reader = createEnvReader(env);
  const config: TransfersConfig = {
    recoveryIntervalMs: reader.integer("TRANSFERS_RECOVERY_INTERVAL_MS", 1_000, 10, 3_600_000),
    recoveryAfterMs: reader.integer("TRANSFERS_RECOVERY_AFTER_MS", 10_000, 100, 86_400_000),
    idempotencyFastPath: reader.match("TRANSFERS_IDEMPOTENCY_FAST_PATH", "on", /^(on|off)$/, "on or off") === "on",
  };
  reader.finish();
  return config;
}
