import { createHash } from "node:crypto";
import type { TransferRequest } from "./transfer-request.js";

/**
 * A stable digest of a canonical request: what the idempotency record compares. Versioned and
 * length-framed (JSON), so no two different requests can produce the same input.
 */
export function requestFingerprint(request: TransferRequest): string {
  const to = request.to.kind === "handle" ? ["handle", request.to.handle] : ["account", request.to.accountId];
  const canonical = JSON.stringify(["v1", request.fromAccountId, ...to, request.amount.toString(), request.currency, request.memo]);
  return createHash("sha256").update(canonical).digest("hex");
}
