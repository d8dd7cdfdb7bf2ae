export { ledgerService } from "./main.js";
