import { eq } from "drizzle-orm";
import { defaultLimitPolicy, type Limits } from "./default-limit-policy.js";
import { limitPolicies } from "./schema.js";
import type { TransfersDatabase, TransfersTransaction } from "./transfers-database.js";

/** The limits in force for a currency: its policy, or the defaults when none was set. */
export async function limitsFor(db: TransfersDatabase | TransfersTransaction, currency: string): Promise<Limits> {
  const [policy] = await db
    .select({ perTransactionMax: limitPolicies.perTransactionMax, dailyMax: limitPolicies.dailyMax, monthlyMax: limitPolicies.monthlyMax })
    .from(limitPolicies)
    .where(eq(limitPolicies.currency, currency));
  return policy ?? defaultLimitPolicy(currency);
}
