import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Where Debian installs each PostgreSQL major version's server programs. */
const DEBIAN_POSTGRES = "/usr/lib/postgresql";

/** A PostgreSQL server of a test's own, to stop and restart without disturbing anyone else's. */
export interface PrivatePostgres {
  /** Its `postgres` database as user `postgres` (trust auth): what POSTGRES_URL takes. */
  readonly url: string;
  /** `pg_ctl restart -m fast`: every session is terminated, as in an operator's restart; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`: down until `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it at once and deletes its files. */
  destroy(): Promise<void>;
}

/** The newest installed PostgreSQL's server programs (initdb, pg_ctl), or undefined when none is installed. */
export function findPostgresPrograms(): string | undefined {
  if (!existsSync(DEBIAN_POSTGRES)) return undefined;
  const versions = readdirSync(DEBIAN_POSTGRES)
    .filter((version) => existsSync(join(DEBIAN_POSTGRES, version, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(DEBIAN_POSTGRES, versions[0], "bin");
}

export interface PrivatePostgresOptions {
  /**
   * The server's connection limit. Default 100 (Postgres's own), enough for a few services; a
   * drill running two instances of each service needs more.
   */
  maxConnections?: number;
  /** Where the server logs. Default a file in its temporary folder, deleted with it. */
  logFile?: string;
}

/**
 * Creates and starts a throwaway cluster in a temporary folder, on a free port of 127.0.0.1.
 * initdb refuses to run as root, so under root its programs run as the `postgres` user, which
 * then owns the folder. fsync is off: the data dies with the test.
 */
export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const programs = findPostgresPrograms();
  if (programs === undefined) throw new Error(`no PostgreSQL server programs under ${DEBIAN_POSTGRES}`);
  const folder = await mkdtemp(join(tmpdir(), "paymesh-pg-"));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    await chown(folder, Number(stdout.trim()), Number(stdout.trim()));
  }
  const program = (name: string, args: string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(programs, name), ...args]) : run(join(programs, name), args);
  const data = join(folder, "data");
  const port = await freePort();
  const serverOptions = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=${options.maxConnections ?? 100}`;
  const logFile = options.logFile ?? join(folder, "log");
  if (asRoot && options.logFile !== undefined) {
    // pg_ctl writes the log as the postgres user.
    await writeFile(logFile, "", { flag: "a" });
    const { stdout } = await run("id", ["-u", "postgres"]);
    await chown(logFile, Number(stdout.trim()), Number(stdout.trim()));
  }
  const pgCtl = (...args: string[]) => program("pg_ctl", ["-D", data, "-l", logFile, "-o", serverOptions, "-w", ...args]);

  await program("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync"]);
  await pgCtl("start");
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => void (await pgCtl("-m", "fast", "restart")),
    stop: async () => void (await pgCtl("-m", "fast", "stop")),
    start: async () => void (await pgCtl("start")),
    async destroy() {
      await pgCtl("-m", "immediate", "stop").catch(() => {});
      await rm(folder, { recursive: true, force: true });
    },
  };
}

/** A port nothing listens on just now (the kernel's pick, released at once). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
