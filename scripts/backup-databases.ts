import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { databaseUrl } from "@paymesh/db";
import postgres from "postgres";

const run = promisify(execFile);

/** What a backup directory holds besides the dumps: which database each file came from. */
const MANIFEST = "manifest.json";

interface Manifest {
  createdAt: string;
  /** pg_dump's `--version` line: pg_restore must be at least that version. */
  pgDump: string;
  /** By service: the database it was dumped from and the dump's file name in the directory. */
  databases: Record<string, { database: string; file: string }>;
}

export interface BackupOptions {
  /** A URL of the server (any database on it), as POSTGRES_URL. */
  serverUrl: string;
  /** Where the dumps go; created if missing. */
  dir: string;
  /** The databases to dump, by service (`{ ledger: "paymesh_ledger" }`). */
  databases: Record<string, string>;
}

/**
 * Dumps each service's database with pg_dump into `dir` (custom format: compressed, restorable
 * table by table), without owners or grants so any server's `postgres` role can restore it, and
 * writes a manifest naming them. Each dump is one consistent snapshot of its database; dumps of
 * different services are taken one after another, so stop the services first for a set that
 * agrees across services.
 */
export async function backupDatabases(options: BackupOptions): Promise<Manifest> {
  await mkdir(options.dir, { recursive: true });
  const { stdout: version } = await run("pg_dump", ["--version"]);
  const manifest: Manifest = { createdAt: new Date().toISOString(), pgDump: version.trim(), databases: {} };
  for (const [service, database] of Object.entries(options.databases)) {
    const file = `${service}.dump`;
    await run("pg_dump", [
      "--format=custom",
      "--no-owner",
      "--no-privileges",
      `--file=${join(options.dir, file)}`,
      `--dbname=${databaseUrl(options.serverUrl, database)}`,
    ]);
    manifest.databases[service] = { database, file };
  }
  await writeFile(join(options.dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export interface RestoreOptions {
  /** A URL of the server to restore into (any database on it that the role can connect to). */
  serverUrl: string;
  /** A directory written by {@link backupDatabases}. */
  dir: string;
  /** Which of its services to restore. Default: every one in the manifest. */
  services?: string[];
  /** The database to restore a service into. Default `paymesh_<service>`, the name the service uses. */
  databases?: Record<string, string>;
}

/**
 * Restores each service's dump into a new database, all or nothing per database (one
 * transaction; a failure drops the half-made database). Refuses a database that exists, before
 * restoring anything, rather than merging a dump into live rows.
 */
export async function restoreDatabases(options: RestoreOptions): Promise<Record<string, string>> {
  const manifest = JSON.parse(await readFile(join(options.dir, MANIFEST), "utf8")) as Manifest;
  const services = options.services ?? Object.keys(manifest.databases);
  const unknown = services.filter((service) => !(service in manifest.databases));
  if (unknown.length > 0) throw new Error(`${options.dir} has no dump of ${unknown.join(", ")}`);
  const targets = Object.fromEntries(services.map((service) => [service, options.databases?.[service] ?? `paymesh_${service}`]));
  const sql = postgres(options.serverUrl, { max: 1, onnotice: () => {} });
  try {
    const names = Object.values(targets);
    const existing = await sql<{ datname: string }[]>`select datname from pg_database where datname in ${sql(names)}`;
    if (existing.length > 0) {
      throw new Error(
        `database ${existing.map((r) => r.datname).join(", ")} already exists: drop it first, or restore under another name (--database <service>=<name>)`,
      );
    }
    for (const [service, database] of Object.entries(targets)) {
      await sql`create database ${sql(database)}`;
      try {
        await run("pg_restore", [
          "--no-owner",
          "--no-privileges",
          "--single-transaction",
          "--exit-on-error",
          `--dbname=${databaseUrl(options.serverUrl, database)}`,
          join(options.dir, manifest.databases[service]!.file),
        ]);
      } catch (error) {
        await sql`drop database if exists ${sql(database)} with (force)`;
        throw error;
      }
    }
  } finally {
    await sql.end();
  }
  return targets;
}
