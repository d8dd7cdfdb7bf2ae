// `npm run restore -- --dir <dir> [--database <service>=<name> ...] [service ...]`: restores the
// dumps `npm run backup` wrote into new databases (default `paymesh_<service>`) on the server at
// POSTGRES_URL. Refuses a database that exists.

import { readBackupCliOptions } from "./backup-cli-options.js";
import { restoreDatabases } from "./backup-databases.js";

const USAGE = `usage: npm run restore -- --dir <dir> [--database <service>=<name> ...] [service ...]
  Restores every dump in <dir> (or the services named) into new databases (default
  paymesh_<service>) on the server at POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres).
  A database that already exists is refused: drop it first or restore under another name.`;

try {
  const options = readBackupCliOptions(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
  } else if (options.dir === undefined) {
    throw new Error("--dir <dir> is required: the directory npm run backup wrote");
  } else {
    const restored = await restoreDatabases({
      serverUrl: options.serverUrl,
      dir: options.dir,
      services: options.services.length > 0 ? options.services : undefined,
      databases: options.databases,
    });
    for (const [service, database] of Object.entries(restored)) console.log(`${service}: restored into ${database}`);
  }
} catch (error) {
  console.error(`restore failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
