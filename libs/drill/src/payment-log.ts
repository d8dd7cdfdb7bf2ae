/** How one payment ended for its client. */
type PaymentOutcome = "COMPLETED" | "FAILED" | "GAVE_UP";

/** One payment as its client saw it: one idempotency key, retried until the transfer was final. */
export interface PaymentRecord {
  payer: string;
  key: string;
  /** Wall-clock milliseconds. */
  startedAt: number;
  endedAt: number;
  attempts: number;
  outcome: PaymentOutcome;
  /** The transfer the final answer named; "" when it gave up. */
  transferId: string;
}

/**
 * What the payment load recorded: every answer any client got, as `[wall-clock ms, outcome]`
 * where the outcome is the transfer's status for an answer (COMPLETED, FAILED, INITIATED) or the
 * error's code name (Unavailable, DeadlineExceeded, …), and every payment.
 */
export interface PaymentLog {
  answers: Array<[number, string]>;
  payments: PaymentRecord[];
}
