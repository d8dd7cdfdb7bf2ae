// `npm run rebuild-inbox -w @paymesh/notifications`: replays the transfers and handles streams
// into a fresh inbox, atomically, keeping read and archived marks; the running service keeps
// serving meanwhile. Nothing is delivered again.
import { openServiceDatabase } from "@paymesh/runtime";
import { connect } from "nats";
import { notificationsService } from "../main.js";
import type { NotificationsDatabase } from "../notifications-database.js";
import { rebuildInbox } from "../rebuild-inbox.js";

const { config, database } = await openServiceDatabase(notificationsService, { applicationName: "notifications-rebuild-inbox", max: 2 });
const nats = await connect({ servers: config.natsUrl, name: "notifications-rebuild" });
try {
  const replayed = await rebuildInbox({
    db: database.db as NotificationsDatabase,
    js: nats.jetstream(),
    jsm: await nats.jetstreamManager(),
    subjectPrefix: config.subjectPrefix,
  });
  console.log(`inbox rebuilt from ${replayed} events`);
} catch (error) {
  console.error(`rebuild failed, the inbox is unchanged: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
} finally {
  await nats.drain();
  await database.close();
}
