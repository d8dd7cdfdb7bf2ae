// `npm run reconcile -w @paymesh/ledger`: recomputes every balance from the journal and
// compares it with the accounts and the statement read table. Prints any drift and exits
// 1 if there is some, 0 if the books agree. Reads the same environment as the service.
import { reconcileLedger } from "../reconcile-ledger.js";
import { openLedger, rootMessage } from "./open-ledger.js";

const { database } = await openLedger("reconcile");
try {
  const drift = await reconcileLedger(database.db);
  for (const { check, detail } of drift) console.log(`DRIFT [${check}] ${detail}`);
  console.log(drift.length === 0 ? "no drift: the books agree" : `${drift.length} drift finding(s)`);
  process.exitCode = drift.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`reconcile could not run: ${rootMessage(error)}`);
  process.exitCode = 2;
} finally {
  await database.close();
}
