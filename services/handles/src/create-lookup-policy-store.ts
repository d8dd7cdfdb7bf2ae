import { create } from "@bufbuild/protobuf";
import { appendEvent } from "@paymesh/events";
import { LookupPolicyChangedSchema } from "@paymesh/gen/paymesh/handles/v1/events_pb";
import { sql } from "drizzle-orm";
import type { BucketPolicy } from "./bucket-policy.js";
import type { HandlesDatabase } from "./handles-database.js";
import { type LookupPolicyRow, lookupPolicy } from "./schema.js";
import { toLookupPolicyProto } from "./to-lookup-policy-proto.js";

export interface LookupPolicyStoreOptions {
  db: HandlesDatabase;
  /** The policy in force until one is stored: the service's settings. */
  defaults: BucketPolicy;
  /** Subject of the LookupPolicyChanged event. */
  subject: string;
}

/**
 * The lookup policy: stored in the `lookup_policy` row, enforced from this instance's memory.
 * What is in memory only moves forward (by the row's revision), whatever order reads, changes
 * and their events arrive in.
 */
export interface LookupPolicyStore {
  /** The policy this instance enforces; from memory, so every lookup may ask. */
  current(): BucketPolicy;
  /** Reads the stored policy, applies it if it is newer than the one in force, and gives the one in force. */
  refresh(): Promise<BucketPolicy>;
  /**
   * Stores `policy`, set by `by`, with a LookupPolicyChanged event in the same transaction, and
   * applies it here at once. Storing the policy already stored changes and publishes nothing.
   * Gives the policy now in force.
   */
  set(policy: BucketPolicy, by: string): Promise<BucketPolicy>;
}

export function createLookupPolicyStore(options: LookupPolicyStoreOptions): LookupPolicyStore {
  const { db, subject } = options;
  // Revision 0 is the settings' policy: any stored row (revision 1 and up) replaces it.
  let inForce = { policy: { ...options.defaults }, revision: 0 };

  const apply = (row: LookupPolicyRow | undefined): BucketPolicy => {
    if (row !== undefined && row.revision > inForce.revision) {
      const { capacity, refillPerMinute, hitCost, missCost, revision } = row;
      inForce = { policy: { capacity, refillPerMinute, hitCost, missCost }, revision };
    }
    return inForce.policy;
  };

  return {
    current: () => inForce.policy,

    async refresh() {
      const [row] = await db.select().from(lookupPolicy);
      return apply(row);
    },

    async set(policy, by) {
      const values = { ...policy, updatedBy: by, updatedAt: new Date() };
      const row = await db.transaction(async (tx) => {
        const [changed] = await tx
          .insert(lookupPolicy)
          .values({ ...values, revision: 1 })
          .onConflictDoUpdate({
            target: lookupPolicy.id,
            set: { ...values, revision: sql`${lookupPolicy.revision} + 1` },
            setWhere: sql`(${lookupPolicy.capacity}, ${lookupPolicy.refillPerMinute}, ${lookupPolicy.hitCost}, ${lookupPolicy.missCost})
              is distinct from (excluded.capacity, excluded.refill_per_minute, excluded.hit_cost, excluded.miss_cost)`,
          })
          .returning();
        if (changed === undefined) {
          const [stored] = await tx.select().from(lookupPolicy);
          return stored;
        }
        await appendEvent(tx, {
          subject,
          schema: LookupPolicyChangedSchema,
          message: create(LookupPolicyChangedSchema, {
            policy: toLookupPolicyProto(changed),
            changedBy: by,
            revision: BigInt(changed.revision),
          }),
        });
        return changed;
      });
      return apply(row);
    },
  };
}
