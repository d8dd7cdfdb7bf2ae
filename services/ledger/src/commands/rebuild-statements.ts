// `npm run rebuild-statements -w @paymesh/ledger`: replays the ledger's event stream into
// a fresh statement read table, atomically; the running service keeps serving meanwhile.
import { streamNameFor } from "@paymesh/events";
import { connect } from "nats";
import { rebuildStatements } from "../rebuild-statements.js";
import { openLedger, rootMessage } from "./open-ledger.js";

const { config, database } = await openLedger("rebuild-statements");
const nats = await connect({ servers: config.natsUrl, name: "ledger-rebuild" });
try {
  const replayed = await rebuildStatements({
    db: database.db,
    js: nats.jetstream(),
    jsm: await nats.jetstreamManager(),
    stream: streamNameFor(config.subjectPrefix, "ledger"),
  });
  console.log(`statement table rebuilt from ${replayed} events`);
} catch (error) {
  console.error(`rebuild failed, the statement table is unchanged: ${rootMessage(error)}`);
  process.exitCode = 2;
} finally {
  await nats.drain();
  await database.close();
}
