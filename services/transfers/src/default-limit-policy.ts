import { currencyExponent } from "@paymesh/domain";

/** Limits in minor units of one currency. */
export interface Limits {
  perTransactionMax: bigint;
  dailyMax: bigint;
  monthlyMax: bigint;
}

/**
 * The limits of a currency nobody has set a policy for: 10,000 / 20,000 / 100,000 major units
 * per transaction / UTC day / UTC month, in minor units (USD: 1,000,000 / 2,000,000 / 10,000,000
 * cents; JPY: 10,000 / 20,000 / 100,000 yen).
 */
export function defaultLimitPolicy(currency: string): Limits {
  // A code the ledger does not hold has no accounts, so no transfer in it gets far; 2 is a safe guess.
  const scale = 10n ** BigInt(currencyExponent(currency) ?? 2);
  return { perTransactionMax: 10_000n * scale, dailyMax: 20_000n * scale, monthlyMax: 100_000n * scale };
}
