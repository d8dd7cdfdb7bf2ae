/**
 * ISO 4217 minor-unit exponents that differ from the usual 2. The set of valid codes comes
 * from the runtime's ICU data; the exponents do not, because ICU's display digits differ
 * from ISO's minor units for some currencies (IDR, for one).
 */
const EXPONENTS: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Codes ISO lists without minor units (precious metals, testing and fund codes): not money we hold. */
const NO_MINOR_UNIT = new Set(["XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"]);

const KNOWN = new Set(Intl.supportedValuesOf("currency").filter((code) => !NO_MINOR_UNIT.has(code)));

/** The currency's minor-unit exponent (2 for USD: amounts are cents), or undefined if unknown. */
export function currencyExponent(code: string): number | undefined {
  if (!KNOWN.has(code)) return undefined;
  return EXPONENTS[code] ?? 2;
}
