import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname, "..");

/** What `npm run backup` and `npm run restore` are told on their command lines. */
export interface BackupCliOptions {
  serverUrl: string;
  dir: string | undefined;
  /** The services named, or none for all. */
  services: string[];
  /** `--database <service>=<name>` overrides, by service. */
  databases: Record<string, string>;
  help: boolean;
}

/** Every service that owns a database: a package under services/ with src/schema.ts (the console has none). */
export function repositoryServices(): string[] {
  return readdirSync(join(root, "services"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, "services", d.name, "src", "schema.ts")))
    .map((d) => d.name)
    .sort();
}

/** Reads `[--dir <dir>] [--database <service>=<name> ...] [service ...]` and POSTGRES_URL. */
export function readBackupCliOptions(args: string[], env: NodeJS.ProcessEnv): BackupCliOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { dir: { type: "string" }, database: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
  });
  const databases: Record<string, string> = {};
  for (const pair of values.database ?? []) {
    const match = /^([a-z][a-z0-9-]*)=([a-z_][a-z0-9_]{0,62})$/.exec(pair);
    if (!match) throw new Error(`--database ${pair}: expected <service>=<database name>, e.g. ledger=paymesh_ledger`);
    databases[match[1]!] = match[2]!;
  }
  return {
    serverUrl: env.POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres",
    dir: values.dir,
    services: positionals,
    databases,
    help: values.help ?? false,
  };
}
