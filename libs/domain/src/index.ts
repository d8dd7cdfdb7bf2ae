export { currencyExponent } from "./currency-exponent.js";
export { HANDLE_PATTERN, normalizeHandle } from "./normalize-handle.js";
