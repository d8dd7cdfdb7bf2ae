import { randomBytes } from "node:crypto";
import { databaseUrl } from "@paymesh/db";
import { streamNamePrefixFor } from "@paymesh/events";
import { loadConfig, type Role, type ServiceName, signToken } from "@paymesh/runtime";
import { Redis } from "ioredis";
import { connect } from "nats";
import postgres from "postgres";
import type { CpuSource } from "./cpu-source.js";
import { freePort } from "./free-port.js";
import { metricsCpuSeconds } from "./metrics-cpu-seconds.js";
import { commandCpuSeconds } from "./process-cpu-seconds.js";
import { type NodeProcess, spawnNodeProcess } from "./spawn-node-process.js";
import { waitReady } from "./wait-ready.js";

/** One process of the mesh. */
export interface BenchProcess {
  /** Its name in URLs and reports; default the service's. */
  name?: string;
  service: ServiceName;
  /** Extra environment, e.g. a larger token bucket for handles, or its caches turned off. */
  env?: Record<string, string>;
}

export interface BenchMeshOptions {
  /**
   * The processes to run, each a service on a port of its own. Instances of one service share its
   * database; peers reach the first instance of each service through `<NAME>_URL`.
   */
  processes: BenchProcess[];
}

export interface BenchMesh {
  /** Base URL of each process, by its name. */
  readonly urls: Readonly<Record<string, string>>;
  /** The ceiling process: a bare EchoService on the same runtime. */
  readonly ceilingUrl: string;
  /** First token of this run's subjects and streams, and of its Redis keys. */
  readonly prefix: string;
  /** The database a service of this run uses (for seeding what no RPC offers quickly). */
  databaseUrl(service: ServiceName): string;
  /** A token the mesh accepts, minted with its development secret. */
  token(subject: string, role?: Role): Promise<string>;
  /** Every process whose CPU a scenario is charged with: each service, the ceiling, Postgres, NATS, Redis. */
  readonly cpuSources: readonly CpuSource[];
  stop(): Promise<void>;
}

/**
 * The mesh as `npm start` runs it (each service its own Node process through tsx, on its own
 * port), but on fresh databases, a private subject prefix and Redis key prefix, so a benchmark
 * neither reads nor disturbs the development data, and leaves nothing behind.
 */
export async function startBenchMesh(options: BenchMeshOptions): Promise<BenchMesh> {
  const shared = loadConfig({ service: "bench", defaultPort: 0 });
  const run = randomBytes(4).toString("hex");
  const prefix = `bench${run}`;
  const databaseOf = (service: string) => `paymesh_bench_${run}_${service}`;
  const planned = await Promise.all(
    options.processes.map(async (p) => ({ ...p, name: p.name ?? p.service, url: `http://127.0.0.1:${await freePort()}` })),
  );
  const urls = Object.fromEntries(planned.map((p) => [p.name, p.url]));
  const services = [...new Set(planned.map((p) => p.service))];
  const peers = Object.fromEntries(
    services.map((service) => [`${service.toUpperCase()}_URL`, planned.find((p) => p.service === service)!.url]),
  );
  const processes: NodeProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await cleanUp(shared, prefix, services.map(databaseOf));
  };
  try {
    const base = { ...process.env, EVENTS_SUBJECT_PREFIX: prefix, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", ...peers };
    const ceilingPort = await freePort();
    const ceiling = spawnNodeProcess({
      name: "ceiling",
      entry: "libs/bench/src/ceiling-server.ts",
      env: { ...base, PORT: String(ceilingPort) },
    });
    processes.push(ceiling);
    const ceilingUrl = `http://127.0.0.1:${ceilingPort}`;
    for (const p of planned) {
      processes.push(
        spawnNodeProcess({
          name: p.name,
          entry: `services/${p.service}/src/main.ts`,
          env: {
            ...base,
            PORT: new URL(p.url).port,
            DATABASE_NAME: databaseOf(p.service),
            HANDLES_REDIS_PREFIX: `${prefix}:handles:`,
            ...p.env,
          },
        }),
      );
    }
    await Promise.all(processes.map((p) => waitReady(p, p === ceiling ? ceilingUrl : urls[p.name]!)));
    const cpuSources: CpuSource[] = [
      ...planned.map((p) => ({ name: p.name, read: () => metricsCpuSeconds(p.url) })),
      { name: "ceiling", read: () => metricsCpuSeconds(ceilingUrl) },
      { name: "postgres", read: async () => commandCpuSeconds("postgres") },
      { name: "nats", read: async () => commandCpuSeconds("nats-server") },
      { name: "redis", read: async () => commandCpuSeconds("redis-server") },
    ];
    return {
      urls,
      ceilingUrl,
      prefix,
      databaseUrl: (service) => databaseUrl(shared.postgresUrl, databaseOf(service)),
      cpuSources,
      token: (subject, role = "user") => signToken({ ...shared.auth, subject, role, expiresInSeconds: 3_600 }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function cleanUp(config: ReturnType<typeof loadConfig>, prefix: string, databases: string[]): Promise<void> {
  const sql = postgres(config.postgresUrl, { max: 1, onnotice: () => {} });
  try {
    for (const name of databases) await sql.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await sql.end();
  }
  const nats = await connect({ servers: config.natsUrl });
  try {
    const jsm = await nats.jetstreamManager();
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(streamNamePrefixFor(prefix))) await jsm.streams.delete(stream.config.name);
    }
  } finally {
    await nats.close();
  }
  const redis = new Redis(config.redisUrl);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
