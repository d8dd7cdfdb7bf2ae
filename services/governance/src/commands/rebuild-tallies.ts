// `npm run rebuild-tallies -w @paymesh/governance`: replays the governance event stream into a
// fresh tally read table, atomically; the running service keeps serving meanwhile.
import { streamNameFor } from "@paymesh/events";
import { openServiceDatabase } from "@paymesh/runtime";
import { connect } from "nats";
import { governanceService } from "../main.js";
import { rebuildTallies } from "../rebuild-tallies.js";

const { config, database } = await openServiceDatabase(governanceService, { applicationName: "governance-rebuild-tallies", max: 2 });
const nats = await connect({ servers: config.natsUrl, name: "governance-rebuild" });
try {
  const replayed = await rebuildTallies({
    db: database.db,
    js: nats.jetstream(),
    jsm: await nats.jetstreamManager(),
    stream: streamNameFor(config.subjectPrefix, "governance"),
  });
  console.log(`tally table rebuilt from ${replayed} events`);
} catch (error) {
  console.error(`rebuild failed, the tally table is unchanged: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
} finally {
  await nats.drain();
  await database.close();
}
