import { mkdirSync } from "node:fs";
import { freePort } from "@paymesh/bench";
import { databaseUrl } from "@paymesh/db";
import { loadConfig, type Role, type ServiceName, signToken } from "@paymesh/runtime";
import { createServiceProcess, type ProcessExit, type ServiceProcess } from "./start-service-process.js";

/** One process of a drill mesh. */
export interface DrillProcess {
  /** Unique in the mesh, e.g. `ledger-2`. */
  name: string;
  service: ServiceName;
  /**
   * The processes it calls, by service (`{ ledger: "ledger-2" }`). Default: the first process
   * of each service. Two instances of each service are two stacks this way, each calling its own.
   */
  peers?: Partial<Record<ServiceName, string>>;
}

export interface DrillMeshOptions {
  processes: DrillProcess[];
  /** Environment every process gets over the drill's own: at least POSTGRES_URL, NATS_URL and REDIS_URL. */
  env: Record<string, string>;
  /** Where each process's runs log (see ServiceProcessOptions). */
  logDir: string;
}

export interface DrillMesh {
  /** Base URL of each process, by name. */
  readonly urls: Readonly<Record<string, string>>;
  readonly processes: readonly ServiceProcess[];
  process(name: string): ServiceProcess;
  /** The database URL of a service, as the service itself computes it from the mesh's environment. */
  databaseUrl(service: ServiceName): string;
  /** A token the mesh accepts. */
  token(subject: string, role?: Role): Promise<string>;
  /** Every exit no one asked for, in every process. */
  crashes(): ProcessExit[];
  /** Stops every process gracefully (no restarts). */
  stop(): Promise<void>;
}

/**
 * The mesh as `npm start` runs it, each service a process of its own on a free port, against the
 * infrastructure in `env` (their default database names, subject and key prefixes: the drill's
 * infrastructure is its own). Resolves once every process is ready.
 */
export async function startDrillMesh(options: DrillMeshOptions): Promise<DrillMesh> {
  mkdirSync(options.logDir, { recursive: true });
  const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", ...options.env };
  const planned = await Promise.all(options.processes.map(async (p) => ({ ...p, url: `http://127.0.0.1:${await freePort()}` })));
  const urlOf = (name: string) => {
    const found = planned.find((p) => p.name === name);
    if (found === undefined) throw new Error(`no process ${name} in this mesh`);
    return found.url;
  };
  const services = [...new Set(planned.map((p) => p.service))];
  const processes = planned.map((p) => {
    const peers = Object.fromEntries(
      services.map((service) => [
        `${service.toUpperCase()}_URL`,
        urlOf(p.peers?.[service] ?? planned.find((q) => q.service === service)!.name),
      ]),
    );
    return createServiceProcess({
      name: p.name,
      service: p.service,
      url: p.url,
      env: { ...env, ...peers, PORT: new URL(p.url).port },
      logDir: options.logDir,
    });
  });
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  try {
    await Promise.all(processes.map((p) => p.start()));
  } catch (error) {
    await stop();
    throw error;
  }
  const config = (service: string) => loadConfig({ service, defaultPort: 0, env });
  return {
    urls: Object.fromEntries(planned.map((p) => [p.name, p.url])),
    processes,
    process(name) {
      const found = processes.find((p) => p.name === name);
      if (found === undefined) throw new Error(`no process ${name} in this mesh`);
      return found;
    },
    databaseUrl(service) {
      const { postgresUrl, databaseName } = config(service);
      return databaseUrl(postgresUrl, databaseName);
    },
    token: (subject, role = "user") => signToken({ ...config("drill").auth, subject, role, expiresInSeconds: 3_600 }),
    crashes: () => processes.flatMap((p) => p.exits.filter((exit) => !exit.requested)),
    stop,
  };
}
