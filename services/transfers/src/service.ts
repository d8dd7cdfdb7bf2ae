import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { FailureReason, LimitPolicySchema, type Transfer, type TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { DomainError, type Principal, principalOf, readPageRequest, requireRole, toPage } from "@paymesh/runtime";
import { and, desc, eq, lt, or } from "drizzle-orm";
import type { LimitPolicies } from "./create-limit-policies.js";
import type { TransferProcessor } from "./create-transfer-processor.js";
import { limitsFor } from "./limits-for.js";
import { limitPolicies, transferHistory } from "./schema.js";
import { toTransfer, transferOf } from "./to-proto.js";
import { findTransfer } from "./transfer-store.js";
import type { TransfersDatabase } from "./transfers-database.js";

export interface TransferServiceOptions {
  db: TransfersDatabase;
  processor: TransferProcessor;
  limits: LimitPolicies;
}

/**
 * A transfer as `principal` may see it; operators and services see it whole, and the records
 * (the transfer, its events, the history rows, the ledger entry) are always whole.
 * - A payee sees that a payment to them failed, never why: the reason (e.g. the payer's
 *   insufficient funds) is the payer's business.
 * - A payer sees of the payee what resolving the handle would show them (the masked name): never
 *   the payee's subject, nor the account a handle resolved to. Else any transfer to a handle, a
 *   failed one costing nothing, would tell its payer whose the handle is, which the directory
 *   deliberately hides. An account id the payer named themselves is theirs to see.
 */
function viewFor(transfer: Transfer, principal: Principal): Transfer {
  if (principal.role !== "user") return transfer;
  const view = { ...transfer };
  if (principal.subject !== transfer.payer) {
    view.failureReason = FailureReason.UNSPECIFIED;
    view.failureMessage = "";
  }
  if (principal.subject !== transfer.payee) {
    view.payee = "";
    if (transfer.toHandle !== "") view.toAccountId = "";
  }
  return view;
}

export function createTransferService({ db, processor, limits }: TransferServiceOptions): ServiceImpl<typeof TransferService> {
  return {
    async createTransfer(req, ctx) {
      const principal = principalOf(ctx);
      return { transfer: viewFor(transferOf(await processor.create(principal, req)), principal) };
    },

    async getTransfer(req, ctx) {
      const principal = principalOf(ctx);
      const id = req.id.toLowerCase();
      const row = await findTransfer(db, id);
      if (principal.role === "user") {
        // Someone else's transfer and a missing one look the same: existence is not revealed.
        if (row === undefined || (row.payer !== principal.subject && row.payee !== principal.subject)) {
          throw new DomainError("permission_denied", `transfer ${id} is not one of yours`);
        }
      } else if (row === undefined) {
        throw new DomainError("not_found", `transfer ${id} not found`);
      }
      return { transfer: viewFor(transferOf(row), principal) };
    },

    async listTransfers(req, ctx) {
      const principal = principalOf(ctx);
      const page = readPageRequest(req, {
        list: "transfers.ListTransfers",
        filters: [principal.subject],
        cursor: { createdAt: "timestamp", transferId: "uuid" },
      });
      const after = page.after;
      const rows = await db
        .select()
        .from(transferHistory)
        .where(
          and(
            eq(transferHistory.participant, principal.subject),
            after === undefined
              ? undefined
              : or(
                  lt(transferHistory.createdAt, after.createdAt),
                  and(eq(transferHistory.createdAt, after.createdAt), lt(transferHistory.transferId, after.transferId)),
                ),
          ),
        )
        .orderBy(desc(transferHistory.createdAt), desc(transferHistory.transferId))
        .limit(page.limit);
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ createdAt: row.createdAt, transferId: row.transferId }));
      return { transfers: items.map((row) => viewFor(toTransfer(row.transferId, row), principal)), nextPageToken };
    },

    async getLimitPolicy(req, ctx) {
      requireRole(ctx, "operator", "service");
      return { policy: create(LimitPolicySchema, { currency: req.currency, ...(await limitsFor(db, req.currency)) }) };
    },

    async setLimitPolicy(req, ctx) {
      const principal = requireRole(ctx, "operator", "service");
      const policy = req.policy!;
      if (policy.perTransactionMax > policy.dailyMax || policy.dailyMax > policy.monthlyMax) {
        throw new DomainError("invalid_argument", "limits must satisfy per_transaction_max <= daily_max <= monthly_max");
      }
      const values = {
        perTransactionMax: policy.perTransactionMax,
        dailyMax: policy.dailyMax,
        monthlyMax: policy.monthlyMax,
        updatedBy: principal.subject,
        updatedAt: new Date(),
      };
      await db
        .insert(limitPolicies)
        .values({ currency: policy.currency, ...values })
        .onConflictDoUpdate({ target: limitPolicies.currency, set: values });
      limits.invalidate(policy.currency);
      return { policy: create(LimitPolicySchema, { currency: policy.currency, ...(await limitsFor(db, policy.currency)) }) };
    },
  };
}
