// `npm run backup -- [--dir <dir>] [--database <service>=<name> ...] [service ...]`: pg_dump of
// each service's database (default every service's `paymesh_<service>`) on the server at
// POSTGRES_URL into <dir> (default backups/<UTC time>), with a manifest for `npm run restore`.
import { join } from "node:path";
import { readBackupCliOptions, repositoryServices } from "./backup-cli-options.js";
import { backupDatabases } from "./backup-databases.js";

const USAGE = `usage: npm run backup -- [--dir <dir>] [--database <service>=<name> ...] [service ...]
  Dumps each service's database (default: every service, database paymesh_<service>) from the
  server at POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) into <dir>
  (default backups/<UTC time>). Restore with npm run restore -- --dir <dir>.`;

try {
  const options = readBackupCliOptions(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
  } else {
    const services = options.services.length > 0 ? options.services : repositoryServices();
    const dir = options.dir ?? join("backups", new Date().toISOString().replace(/[:.]/g, "-"));
    const manifest = await backupDatabases({
      serverUrl: options.serverUrl,
      dir,
      databases: Object.fromEntries(services.map((s) => [s, options.databases[s] ?? `paymesh_${s}`])),
    });
    for (const [service, { database, file }] of Object.entries(manifest.databases))
      console.log(`${service}: ${database} -> ${join(dir, file)}`);
  }
} catch (error) {
  console.error(`backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
