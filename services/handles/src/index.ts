export { handlesService } from "./main.js";
export { normalizeHandle } from "./normalize-handle.js";
export { maskDisplayName } from "./mask-display-name.js";
