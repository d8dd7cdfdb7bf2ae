import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";

/** A JetStream cluster of a test's own: several nats-server processes routed to each other. */
export interface NatsCluster {
  /** The first server's client URL, as NATS_URL takes it; clients learn the others from it. */
  readonly url: string;
  /** Every server's client URL. */
  readonly urls: string[];
  /** Stops every server and deletes their stores. */
  destroy(): Promise<void>;
}

/** `NATS_SERVER_BIN`, else the Debian package's path, else whatever `nats-server` is on PATH. */
const binary = process.env.NATS_SERVER_BIN ?? (existsSync("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server");

/**
 * Starts `size` (default 3) JetStream servers on free loopback ports, each with its own file
 * store in a temporary folder, as one cluster; resolves once JetStream has a meta leader and
 * answers, so a stream with `size` replicas can be created at once.
 */
export async function startNatsCluster(options: { size?: number } = {}): Promise<NatsCluster> {
  const size = options.size ?? 3;
  const folder = await mkdtemp(join(tmpdir(), "paymesh-nats-cluster-"));
  const clientPorts: number[] = [];
  const routePorts: number[] = [];
  for (let i = 0; i < size; i++) {
    clientPorts.push(await freePort());
    routePorts.push(await freePort());
  }
  const routes = routePorts.map((port) => `"nats://127.0.0.1:${port}"`).join(", ");
  const children: ChildProcess[] = [];
  const destroy = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      ),
    );
    await rm(folder, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < size; i++) {
      const conf = join(folder, `n${i}.conf`);
      await writeFile(
        conf,
        [
          `server_name: n${i}`,
          `listen: "127.0.0.1:${clientPorts[i]}"`,
          `cluster { name: paymesh, listen: "127.0.0.1:${routePorts[i]}", routes: [${routes}] }`,
          `jetstream { store_dir: "${join(folder, `n${i}`)}" }`,
        ].join("\n"),
      );
      children.push(spawn(binary, ["-c", conf], { stdio: "ignore" }));
    }
    const urls = clientPorts.map((port) => `nats://127.0.0.1:${port}`);
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const nc = await connect({ servers: urls, timeout: 1_000 });
        try {
          await (await nc.jetstreamManager({ timeout: 1_000 })).getAccountInfo();
          break;
        } finally {
          await nc.close();
        }
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the NATS cluster did not elect a JetStream leader within 20 s: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return { url: urls[0]!, urls, destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
