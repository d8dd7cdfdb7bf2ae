import type { CallOptions, Client } from "@connectrpc/connect";
import { currencyExponent } from "@paymesh/domain";
import type { HandleService, LookupPolicy } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import type { LimitPolicy, TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import type { Rule } from "./decide-outcome.js";

/** The services whose rules governance changes, as service-credentialed clients. */
export interface Owners {
  transfers: Client<typeof TransferService>;
  handles: Client<typeof HandleService>;
}

/** One governable rule: what it is, its bounds, what a proposal must meet, and how to read and set it. */
export interface ParameterSpec {
  name: string;
  description: string;
  type: "amount" | "count";
  unit: string;
  min: bigint;
  max: bigint;
  ownerService: keyof Owners;
  ownerRpc: string;
  /**
   * The policy the parameter is one field of (e.g. `transfers.limits.USD`). Setting a field is
   * read, change, write of the whole policy, so executions on one policy never overlap.
   */
  policy: string;
  raiseRule: Rule;
  lowerRule: Rule;
  /** The value in force, from the owner. */
  read(owners: Owners): Promise<bigint>;
  /** Sets the value through the owner's RPC; gives the value the owner then reports. */
  write(owners: Owners, value: bigint, options: CallOptions): Promise<bigint>;
}

/** Loosening a safeguard (a higher limit, a cheaper lookup) needs a two-thirds supermajority. */
const LOOSEN: Rule = { quorumBps: 5_000, thresholdBps: 6_666 };
/** Tightening one needs a simple majority. */
const TIGHTEN: Rule = { quorumBps: 5_000, thresholdBps: 5_000 };

const LIMIT_FIELDS = [
  { field: "per_transaction_max", key: "perTransactionMax", what: "the largest single transfer" },
  { field: "daily_max", key: "dailyMax", what: "the most one account may send per UTC day" },
  { field: "monthly_max", key: "monthlyMax", what: "the most one account may send per UTC month" },
] as const;

const LOOKUP_FIELDS = [
  { field: "capacity", key: "capacity", what: "tokens a full lookup bucket holds", unit: "tokens", max: 1_000_000n, loosenedBy: "raise" },
  {
    field: "refill_per_minute",
    key: "refillPerMinute",
    what: "tokens added back to a lookup bucket per minute",
    unit: "tokens per minute",
    max: 1_000_000n,
    loosenedBy: "raise",
  },
  { field: "hit_cost", key: "hitCost", what: "price of a lookup that found a handle", unit: "tokens", max: 10_000n, loosenedBy: "lower" },
  { field: "miss_cost", key: "missCost", what: "price of a lookup that found nothing", unit: "tokens", max: 100_000n, loosenedBy: "lower" },
] as const;

/**
 * Every governable parameter: transfers' per-transaction, daily and monthly limits for each of
 * `currencies`, and handles' lookup bucket. Sorted by name.
 */
export function parameterCatalog(currencies: readonly string[]): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  for (const currency of currencies) {
    const exponent = currencyExponent(currency) ?? 2;
    const scale = 10n ** BigInt(exponent);
    for (const { field, key, what } of LIMIT_FIELDS) {
      specs.push({
        name: `transfers.limits.${currency}.${field}`,
        description: `${what}, in ${currency}`,
        type: "amount",
        unit: exponent === 0 ? `${currency} (no minor unit)` : `${currency} minor units (1/${scale} ${currency})`,
        min: scale,
        max: 100_000_000n * scale,
        ownerService: "transfers",
        ownerRpc: "paymesh.transfers.v1.TransferService/SetLimitPolicy",
        policy: `transfers.limits.${currency}`,
        raiseRule: LOOSEN,
        lowerRule: TIGHTEN,
        async read({ transfers }) {
          return (await limitPolicy(transfers, currency))[key];
        },
        async write({ transfers }, value, options) {
          const current = await limitPolicy(transfers, currency);
          const { policy } = await transfers.setLimitPolicy({ policy: { ...current, [key]: value } }, options);
          return policy![key];
        },
      });
    }
  }
  for (const { field, key, what, unit, max, loosenedBy } of LOOKUP_FIELDS) {
    specs.push({
      name: `handles.lookup.${field}`,
      description: what,
      type: "count",
      unit,
      min: 1n,
      max,
      ownerService: "handles",
      ownerRpc: "paymesh.handles.v1.HandleService/SetLookupPolicy",
      policy: "handles.lookup",
      raiseRule: loosenedBy === "raise" ? LOOSEN : TIGHTEN,
      lowerRule: loosenedBy === "raise" ? TIGHTEN : LOOSEN,
      async read({ handles }) {
        return (await lookupPolicy(handles))[key];
      },
      async write({ handles }, value, options) {
        const current = await lookupPolicy(handles);
        const { policy } = await handles.setLookupPolicy({ policy: { ...current, [key]: value } }, options);
        return policy![key];
      },
    });
  }
  return specs.sort((a, b) => a.name.localeCompare(b.name));
}

async function limitPolicy(transfers: Owners["transfers"], currency: string): Promise<LimitPolicy> {
  const { policy } = await transfers.getLimitPolicy({ currency });
  return policy!;
}

async function lookupPolicy(handles: Owners["handles"]): Promise<LookupPolicy> {
  const { policy } = await handles.getLookupPolicy({});
  return policy!;
}
