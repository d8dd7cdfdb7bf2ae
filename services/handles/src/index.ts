export { handlesService } from "./main.js";
export { maskDisplayName } from "./mask-display-name.js";
