import { bytea } from "@paymesh/db";
import { type SQL, sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { handleSkeleton } from "./handle-skeleton.js";

export { outbox, parkedEvents, processedEvents } from "@paymesh/events";

/**
 * The directory. The account id and the owner are personal data and are stored only as
 * AES-256-GCM ciphertexts (see createKeyring) under the key named by `key_id`; the owner is
 * found by `owner_index`, a keyed HMAC of the owner's subject (a blind index), so listing a
 * person's handles never needs the plaintext in the database.
 *
 * A deactivated row stays (with `deactivated_at`) so the handle is held back from anyone
 * else for the cooldown; a later registration takes the row over in place.
 */
export const handles = pgTable(
  "handles",
  {
    /** Normalised, with the `@`: `@bob`. */
    handle: text("handle").primaryKey(),
    /** What the handle looks like to a person (handleSkeleton); computed by the database. */
    skeleton: text("skeleton")
      .notNull()
      .generatedAlwaysAs((): SQL => handleSkeleton(handles.handle)),
    /** The key both ciphertexts of the row are sealed under. */
    keyId: text("key_id").notNull(),
    accountIdCt: bytea("account_id_ct").notNull(),
    ownerCt: bytea("owner_ct").notNull(),
    /** HMAC-SHA256 of the owner's subject under the blind-index key. */
    ownerIndex: bytea("owner_index").notNull(),
    /** Full display name, normalised (NFC, single spaces); resolutions show it masked. */
    displayName: text("display_name").notNull(),
    network: text("network").notNull(),
    status: text("status", { enum: ["active", "deactivated"] })
      .notNull()
      .default("active"),
    verified: boolean("verified").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
  },
  (t) => [
    index("handles_owner_idx").on(t.ownerIndex, t.handle),
    // No two handles look alike, active or not (a deactivated one may come back), whatever races
    // between registrations; and how a registration finds the one its handle looks like.
    uniqueIndex("handles_skeleton_idx").on(t.skeleton),
    check("handles_handle_format", sql`${t.handle} ~ '^@[a-z0-9_.-]{3,30}$'`),
    check("handles_deactivated_at", sql`(${t.status} = 'deactivated') = (${t.deactivatedAt} is not null)`),
  ],
);

export type HandleRow = typeof handles.$inferSelect;

/**
 * The lookup policy set through SetLookupPolicy: at most one row (`id` is always true). Without
 * it, the policy in force is the one in the service's settings. Never deleted: to go back to the
 * settings' values, set them.
 */
export const lookupPolicy = pgTable(
  "lookup_policy",
  {
    id: boolean("id").primaryKey().default(true),
    capacity: integer("capacity").notNull(),
    refillPerMinute: integer("refill_per_minute").notNull(),
    hitCost: integer("hit_cost").notNull(),
    missCost: integer("miss_cost").notNull(),
    /**
     * Counts the changes, from 1. An instance applies a policy read or heard only if its revision
     * is higher than the one it holds, so a slow read never puts an older policy back.
     */
    revision: bigint("revision", { mode: "number" }).notNull(),
    /** Token subject of the operator or service that set it. */
    updatedBy: text("updated_by").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("lookup_policy_single_row", sql`${t.id}`),
    // The rules SetLookupPolicy checks (bucketPolicyProblems), held by the table too.
    check(
      "lookup_policy_usable",
      sql`${t.hitCost} >= 1 and ${t.refillPerMinute} >= 1 and ${t.missCost} >= ${t.hitCost} and ${t.capacity} >= ${t.missCost}`,
    ),
  ],
);

export type LookupPolicyRow = typeof lookupPolicy.$inferSelect;
