export { ledgerService } from "./main.js";
export { type Drift, reconcileLedger } from "./reconcile-ledger.js";
