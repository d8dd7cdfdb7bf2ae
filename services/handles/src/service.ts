import { create } from "@bufbuild/protobuf";
import type { Client, ServiceImpl } from "@connectrpc/connect";
import { pgErrorCode } from "@paymesh/db";
import { normalizeHandle } from "@paymesh/domain";
import { appendEvent } from "@paymesh/events";
import { HandleDeactivatedSchema, HandleRegisteredSchema, HandleUpdatedSchema } from "@paymesh/gen/paymesh/handles/v1/events_pb";
import { type HandleService, HandleStatus } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import type { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { DomainError, type Principal, principalOf, readPageRequest, requireRole, toPage } from "@paymesh/runtime";
import { and, asc, eq, gt, ne, sql } from "drizzle-orm";
import { type BucketPolicy, bucketPolicyProblems } from "./bucket-policy.js";
import { checkAccount } from "./check-account.js";
import { cleanDisplayName } from "./clean-display-name.js";
import type { Keyring } from "./create-keyring.js";
import type { LookupLimiter } from "./create-lookup-limiter.js";
import type { LookupPolicyStore } from "./create-lookup-policy-store.js";
import type { ResolutionCache } from "./create-resolution-cache.js";
import { openHandleRow, sealPersonalData } from "./handle-record.js";
import { handleSkeleton } from "./handle-skeleton.js";
import type { HandlesDatabase, HandlesTransaction } from "./handles-database.js";
import { isReservedHandle } from "./reserved-handles.js";
import { type HandleRow, handles } from "./schema.js";
import { toHandleProto } from "./to-handle-proto.js";
import { toLookupPolicyProto } from "./to-lookup-policy-proto.js";

export interface HandleServiceOptions {
  db: HandlesDatabase;
  keyring: Keyring;
  ledger: Client<typeof LedgerService>;
  cache: ResolutionCache;
  limiter: LookupLimiter;
  policies: LookupPolicyStore;
  subject: (event: string) => string;
  /** Network of newly registered handles. */
  network: string;
  /** How long a deactivated handle is held back from anyone but its last owner. */
  cooldownSeconds: number;
}

export function createHandleService(options: HandleServiceOptions): ServiceImpl<typeof HandleService> {
  const { db, keyring, ledger, cache, limiter, policies, subject, network, cooldownSeconds } = options;

  const isOperator = (principal: Principal) => principal.role === "operator";
  const owns = (principal: Principal, row: HandleRow) => Buffer.from(row.ownerIndex).equals(keyring.blindIndex(principal.subject));

  /**
   * Loads a handle the caller may manage: its owner's, or any for an operator. Anyone else
   * learns nothing: a missing handle and someone else's give the same PERMISSION_DENIED.
   */
  async function manageableRow(
    tx: HandlesDatabase | HandlesTransaction,
    principal: Principal,
    handle: string,
    lock: boolean,
  ): Promise<HandleRow> {
    const query = tx.select().from(handles).where(eq(handles.handle, handle));
    const [row] = lock ? await query.for("update") : await query;
    if (isOperator(principal)) {
      if (row === undefined) throw new DomainError("not_found", `handle ${handle} not found`);
      return row;
    }
    if (row === undefined || !owns(principal, row)) throw new DomainError("permission_denied", `handle ${handle} is not one of yours`);
    return row;
  }

  /**
   * Refuses a handle a person would take for another one in the directory (the same skeleton),
   * active or deactivated (it may come back), without naming it to anyone but its holder.
   */
  async function refuseLookalike(tx: HandlesTransaction, principal: Principal, handle: string): Promise<void> {
    const [other] = await tx
      .select()
      .from(handles)
      .where(and(eq(handles.skeleton, handleSkeleton(sql`${handle}`)), ne(handles.handle, handle)));
    if (other === undefined) return;
    throw owns(principal, other)
      ? new DomainError("already_exists", `${handle} looks too much like ${other.handle}, which is yours; use that one`)
      : lookalikeError(handle);
  }

  return {
    async registerHandle(req, ctx) {
      const principal = principalOf(ctx);
      const handle = normalizeHandle(req.handle);
      if (isReservedHandle(handle)) throw new DomainError("invalid_argument", `${handle} is reserved; choose another handle`);
      const displayName = cleanDisplayName(req.displayName);
      const accountId = req.accountId.toLowerCase();
      await checkAccount(ledger, accountId, principal.subject);
      const sealed = sealPersonalData(keyring, handle, accountId, principal.subject);
      const now = new Date();
      const heldUntilBefore = new Date(now.getTime() - cooldownSeconds * 1000);
      const fields = {
        ...sealed,
        displayName,
        network,
        status: "active" as const,
        verified: false,
        createdAt: now,
        updatedAt: now,
        deactivatedAt: null,
      };
      const record = await db
        .transaction(async (tx) => {
          await refuseLookalike(tx, principal, handle);
          // A new handle, or one deactivated longer ago than the cooldown, or the caller's own
          // deactivated one: taken over in place. Anything else stays as it is.
          const [row] = await tx
            .insert(handles)
            .values({ handle, ...fields })
            .onConflictDoUpdate({
              target: handles.handle,
              set: fields,
              setWhere: sql`${handles.status} = 'deactivated' and (${handles.deactivatedAt} <= ${heldUntilBefore.toISOString()}::timestamptz or ${handles.ownerIndex} = ${sealed.ownerIndex})`,
            })
            .returning();
          if (row === undefined) {
            const [existing] = await tx.select().from(handles).where(eq(handles.handle, handle));
            if (existing?.status === "active") {
              throw new DomainError(
                "already_exists",
                owns(principal, existing) ? `you already hold ${handle}` : `${handle} is taken; choose another handle`,
              );
            }
            throw new DomainError(
              "already_exists",
              `${handle} was deactivated recently and is held back for a while; choose another handle`,
            );
          }
          const record = openHandleRow(keyring, row);
          await appendEvent(tx, {
            subject: subject("handle_registered"),
            schema: HandleRegisteredSchema,
            message: create(HandleRegisteredSchema, { handle: toHandleProto(record) }),
          });
          return record;
        })
        .catch((error: unknown) => {
          // The skeleton's unique index, the only one a registration can break (the handle's own
          // conflict is the upsert's): a lookalike registered since refuseLookalike looked.
          if (pgErrorCode(error) === UNIQUE_VIOLATION) throw lookalikeError(handle);
          throw error;
        });
      // It may have been cached as "no such handle" (or as its previous owner's, deactivated).
      await cache.invalidate(handle);
      return { handle: toHandleProto(record) };
    },

    async resolveHandle(req, ctx) {
      const principal = principalOf(ctx);
      const isService = principal.role === "service";
      if (req.onBehalfOf !== "" && !isService) {
        throw new DomainError("permission_denied", "only services may resolve a handle on behalf of someone");
      }
      const handle = normalizeHandle(req.handle);
      // People pay per lookup, also when a service looks up for them (transfers paying a handle
      // for a payer): else paying unknown handles would be a free way to enumerate them. A
      // service's own lookups are trusted and exempt.
      const caller = req.onBehalfOf !== "" ? `user:${req.onBehalfOf}` : isService ? undefined : `${principal.role}:${principal.subject}`;
      const metered = caller === undefined ? undefined : { caller, price: await limiter.admit(caller) };
      const found = await cache.resolve(handle);
      if (found === undefined) {
        if (metered !== undefined) await limiter.chargeMiss(metered.caller, metered.price);
        throw new DomainError("not_found", `handle ${handle} not found`);
      }
      return {
        resolved: {
          handle: found.handle,
          accountId: found.accountId,
          maskedDisplayName: found.maskedDisplayName,
          network: found.network,
          status: HandleStatus.ACTIVE,
          verified: found.verified,
          owner: isService ? found.owner : "",
        },
      };
    },

    async getHandle(req, ctx) {
      const row = await manageableRow(db, principalOf(ctx), normalizeHandle(req.handle), false);
      return { handle: toHandleProto(openHandleRow(keyring, row)) };
    },

    async listMyHandles(req, ctx) {
      const principal = principalOf(ctx);
      const page = readPageRequest(req, { list: "handles.ListMyHandles", filters: [principal.subject], cursor: { handle: "text" } });
      const rows = await db
        .select()
        .from(handles)
        .where(
          and(
            eq(handles.ownerIndex, keyring.blindIndex(principal.subject)),
            page.after ? gt(handles.handle, page.after.handle) : undefined,
          ),
        )
        .orderBy(asc(handles.handle))
        .limit(page.limit);
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ handle: row.handle }));
      return {
        // The index is a hash: check the opened owner too, so a collision could never list another's handle.
        handles: items
          .map((row) => openHandleRow(keyring, row))
          .filter((record) => record.owner === principal.subject)
          .map(toHandleProto),
        nextPageToken,
      };
    },

    async updateHandle(req, ctx) {
      const principal = principalOf(ctx);
      const handle = normalizeHandle(req.handle);
      if (req.displayName === undefined && req.accountId === undefined) {
        throw new DomainError("invalid_argument", "set display_name or account_id to change");
      }
      const displayName = req.displayName === undefined ? undefined : cleanDisplayName(req.displayName);
      const accountId = req.accountId?.toLowerCase();
      const seen = await manageableRow(db, principal, handle, false);
      const current = openHandleRow(keyring, seen);
      if (current.status !== "active")
        throw new DomainError("failed_precondition", `${handle} is deactivated; register it again to use it`);
      if (accountId !== undefined && accountId !== current.accountId) {
        await checkAccount(ledger, accountId, current.owner, current.owner === principal.subject ? "yours" : "the handle owner's");
      }
      let changed = false;
      const record = await db.transaction(async (tx) => {
        const row = await manageableRow(tx, principal, handle, true);
        // The ledger was asked about this owner: if the handle changed hands or was deactivated
        // meanwhile, the answer no longer applies.
        if (!Buffer.from(row.ownerIndex).equals(Buffer.from(seen.ownerIndex)) || row.status !== "active") {
          throw new DomainError("aborted", `${handle} changed while it was being updated; try again`);
        }
        const before = openHandleRow(keyring, row);
        const next = { displayName: displayName ?? before.displayName, accountId: accountId ?? before.accountId };
        if (next.displayName === before.displayName && next.accountId === before.accountId) return before;
        const [updated] = await tx
          .update(handles)
          .set({ ...sealPersonalData(keyring, handle, next.accountId, before.owner), displayName: next.displayName, updatedAt: new Date() })
          .where(eq(handles.handle, handle))
          .returning();
        const after = openHandleRow(keyring, updated!);
        await appendEvent(tx, {
          subject: subject("handle_updated"),
          schema: HandleUpdatedSchema,
          message: create(HandleUpdatedSchema, { handle: toHandleProto(after) }),
        });
        changed = true;
        return after;
      });
      if (changed) await cache.invalidate(handle);
      return { handle: toHandleProto(record) };
    },

    async deactivateHandle(req, ctx) {
      const principal = principalOf(ctx);
      const handle = normalizeHandle(req.handle);
      let changed = false;
      const record = await db.transaction(async (tx) => {
        const row = await manageableRow(tx, principal, handle, true);
        // Idempotent: deactivating again changes nothing and publishes nothing.
        if (row.status === "deactivated") return openHandleRow(keyring, row);
        const now = new Date();
        const [updated] = await tx
          .update(handles)
          .set({ status: "deactivated", deactivatedAt: now, updatedAt: now })
          .where(eq(handles.handle, handle))
          .returning();
        const after = openHandleRow(keyring, updated!);
        await appendEvent(tx, {
          subject: subject("handle_deactivated"),
          schema: HandleDeactivatedSchema,
          message: create(HandleDeactivatedSchema, { handle: toHandleProto(after) }),
        });
        changed = true;
        return after;
      });
      if (changed) await cache.invalidate(handle);
      return { handle: toHandleProto(record) };
    },

    // Operators and services (governance executing a passed proposal) only: the policy is what
    // stands between a person and enumerating the directory.
    async getLookupPolicy(_req, ctx) {
      requireRole(ctx, "operator", "service");
      // Read, not just this instance's memory: right after a change through another instance,
      // its caller reads what it set (and this instance applies it too).
      return { policy: toLookupPolicyProto(await policies.refresh()) };
    },

    async setLookupPolicy(req, ctx) {
      const principal = requireRole(ctx, "operator", "service");
      // Each field is 1..1 000 000 (the request's own validation), so exact as a number.
      const { capacity, refillPerMinute, hitCost, missCost } = req.policy!;
      const policy: BucketPolicy = {
        capacity: Number(capacity),
        refillPerMinute: Number(refillPerMinute),
        hitCost: Number(hitCost),
        missCost: Number(missCost),
      };
      const problems = bucketPolicyProblems(policy, POLICY_FIELDS);
      if (problems.length > 0) throw new DomainError("invalid_argument", problems.map(([, message]) => message).join("; "));
      return { policy: toLookupPolicyProto(await policies.set(policy, principal.subject)) };
    },
  };
}

const POLICY_FIELDS = { capacity: "capacity", refillPerMinute: "refill_per_minute", hitCost: "hit_cost", missCost: "miss_cost" };

const UNIQUE_VIOLATION = "23505";

function lookalikeError(handle: string): DomainError {
  return new DomainError(
    "already_exists",
    `${handle} looks too much like a handle someone already has: handles that differ only in "_", "." or "-", ` +
      "or in 0 for o, 1 or i for l, rn for m or vv for w, read as one to a payer; choose another handle",
  );
}
