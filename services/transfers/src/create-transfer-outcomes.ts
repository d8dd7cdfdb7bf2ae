import { Counter, type Registry } from "prom-client";
import type { TransferRow } from "./transfers-database.js";

/** Counts transfers as they settle, for operators. */
export interface TransferOutcomes {
  /** A transfer this instance just committed as COMPLETED or FAILED (INITIATED ones are not counted). */
  settled(row: Pick<TransferRow, "status" | "failureReason">): void;
}

/**
 * `transfers_settled_total{status, reason}`: every transfer once, by the instance whose
 * transaction settled it (the request's, or recovery's), counted after that transaction
 * committed, so a transaction run again after a conflict is not counted twice. `reason` is the
 * failure reason, `none` for a completed transfer. Summed over instances, it is the platform's.
 */
export function createTransferOutcomes(registry: Registry): TransferOutcomes {
  const counter = new Counter({
    name: "transfers_settled_total",
    help: "Transfers that reached COMPLETED or FAILED, by status and failure reason (none when completed).",
    labelNames: ["status", "reason"],
    registers: [registry],
  });
  return {
    settled({ status, failureReason }) {
      if (status === "initiated") return;
      counter.inc({ status, reason: failureReason ?? "none" });
    },
  };
}
