export { currencyExponent } from "./currency-exponent.js";
export { formatMinor } from "./format-minor.js";
export { HANDLE_PATTERN, normalizeHandle } from "./normalize-handle.js";
export { parseMinor } from "./parse-minor.js";
