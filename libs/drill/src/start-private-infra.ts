import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@paymesh/bench";
import { type PrivatePostgres, startPrivatePostgres } from "@paymesh/testkit";
import { type Daemon, startDaemon } from "./start-daemon.js";

/** Postgres, NATS with JetStream and Redis of the drill's own, on free ports, in a temporary directory. */
export interface PrivateInfra {
  readonly postgres: PrivatePostgres;
  readonly nats: Daemon;
  readonly redis: Daemon;
  /** POSTGRES_URL, NATS_URL and REDIS_URL pointing at them, as every service reads them. */
  readonly env: Readonly<Record<"POSTGRES_URL" | "NATS_URL" | "REDIS_URL", string>>;
  /** Stops the three servers and removes the temporary directory. */
  stop(): Promise<void>;
}

export interface PrivateInfraOptions {
  /** Where the servers' logs go (they outlive the temporary directory, for a failure's reasons). */
  logDir: string;
}

/**
 * Starts the three servers a mesh needs, private to one drill, so a drill may stop, restart and
 * cut them without disturbing anyone else's (the machine's own are shared). Redis keeps nothing
 * on disk, as in development; NATS keeps its JetStream store in the temporary directory, so
 * streams survive an outage as they would on a real server.
 */
export async function startPrivateInfra(options: PrivateInfraOptions): Promise<PrivateInfra> {
  mkdirSync(options.logDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "paymesh-drill-"));
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [natsPort, redisPort] = [await freePort(), await freePort()];
    // Two instances of each service hold 10 connections a pool plus a few each; 200 leaves room
    // for the drill's own checks while every instance is connected.
    const postgres = await startPrivatePostgres({ maxConnections: 200, logFile: join(options.logDir, "postgres.log") });
    stops.push(postgres.destroy);
    mkdirSync(join(dir, "nats"));
    const nats = await startDaemon({
      name: "nats",
      command: "nats-server",
      args: ["-a", "127.0.0.1", "-p", String(natsPort), "-js", "-sd", join(dir, "nats")],
      port: natsPort,
      logFile: join(options.logDir, "nats.log"),
    });
    stops.push(nats.down);
    mkdirSync(join(dir, "redis"));
    const redis = await startDaemon({
      name: "redis",
      command: "redis-server",
      args: ["--bind", "127.0.0.1", "--port", String(redisPort), "--save", "", "--appendonly", "no", "--dir", join(dir, "redis")],
      port: redisPort,
      logFile: join(options.logDir, "redis.log"),
    });
    stops.push(redis.down);
    return {
      postgres,
      nats,
      redis,
      env: { POSTGRES_URL: postgres.url, NATS_URL: `nats://127.0.0.1:${natsPort}`, REDIS_URL: `redis://127.0.0.1:${redisPort}` },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
