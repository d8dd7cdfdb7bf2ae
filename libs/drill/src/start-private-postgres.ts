import { execFileSync, spawn } from "node:child_process";
import { chownSync, closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";

/** A Postgres server of the drill's own, in a directory of its own. */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: trust auth, so no password. */
  readonly url: string;
  /** `pg_ctl restart -m fast`: every session is cut, the server is back when this resolves. */
  restart(): Promise<void>;
  /** Stops it at once (`-m immediate`): its data directory is about to be removed. */
  stop(): Promise<void>;
}

export interface PrivatePostgresOptions {
  /** An empty directory for the cluster and its socket; the caller removes it. */
  dir: string;
  port: number;
  /** The server's output, appended to by every start. */
  logFile: string;
  /** Where initdb and pg_ctl are. Default `/usr/lib/postgresql/15/bin` (Debian's Postgres 15, what CI installs). */
  binDir?: string;
}

/**
 * initdb, then pg_ctl start, as the `postgres` user when run as root (initdb refuses root),
 * listening on 127.0.0.1 only, with its socket inside `dir` (not the shared /var/run) and trust
 * auth for user `postgres`: nothing of the machine's own Postgres is touched.
 */
export async function startPrivatePostgres(options: PrivatePostgresOptions): Promise<PrivatePostgres> {
  const binDir = options.binDir ?? "/usr/lib/postgresql/15/bin";
  const data = join(options.dir, "data");
  const socket = join(options.dir, "socket");
  const asRoot = process.getuid?.() === 0;
  for (const path of [data, socket]) {
    mkdirSync(path, { recursive: true });
    if (asRoot) chownSync(path, idOf("-u"), idOf("-g"));
  }
  const pg = (tool: string, args: string[]) =>
    run(asRoot ? "runuser" : join(binDir, tool), asRoot ? ["-u", "postgres", "--", join(binDir, tool), ...args] : args, options.logFile);
  await pg("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
  // Two instances of each service hold 10 connections a pool plus a few each; 200 leaves room
  // for the drill's own checks while every instance is connected.
  const serverOptions = `-p ${options.port} -k ${socket} -c listen_addresses=127.0.0.1 -c max_connections=200`;
  await pg("pg_ctl", ["-D", data, "-w", "-t", "60", "-o", serverOptions, "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${options.port}/postgres`,
    // pg_ctl restart starts the server with the options it was last started with.
    restart: () => pg("pg_ctl", ["-D", data, "-w", "-t", "60", "-m", "fast", "restart"]),
    stop: () => pg("pg_ctl", ["-D", data, "-w", "-m", "immediate", "stop"]),
  };
}

/** The postgres user's uid (`-u`) or gid (`-g`). */
function idOf(flag: "-u" | "-g"): number {
  return Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
}

/**
 * Runs a command to its end with its output appended to `logFile`. The server pg_ctl starts
 * inherits that file as its output, so its log lands there too without pg_ctl's `-l` (which
 * would need a file the postgres user may write).
 */
function run(command: string, args: string[], logFile: string): Promise<void> {
  const log = openSync(logFile, "a");
  const child = spawn(command, args, { stdio: ["ignore", log, log] });
  closeSync(log);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${[command, ...args].join(" ")} exited with ${code}; see ${logFile}`)),
    );
  });
}
