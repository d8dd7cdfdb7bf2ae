// The money helpers without the rest of the package, whose handle rules need the server
// runtime: the browser console imports this entry point and nothing else.
export { currencyExponent } from "./currency-exponent.js";
export { formatMinor } from "./format-minor.js";
export { parseMinor } from "./parse-minor.js";
