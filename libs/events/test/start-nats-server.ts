import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, vi } from "vitest";

/** A private JetStream server that a test can kill and bring back, keeping its port and data. */
export interface DisposableNatsServer {
  url: string;
  /** Kills the process (SIGKILL, like a crash) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store directory. */
  restart(): Promise<void>;
  /** Kills it and deletes its store directory. */
  dispose(): Promise<void>;
}

/** `NATS_SERVER_BIN`, else the Debian package's path, else whatever `nats-server` is on PATH. */
const binary = process.env.NATS_SERVER_BIN ?? (existsSync("/usr/sbin/nats-server") ? "/usr/sbin/nats-server" : "nats-server");

/** Starts `nats-server -js` on a free loopback port with a temporary store directory. */
export async function startNatsServer(): Promise<DisposableNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), "paymesh-nats-"));
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const started = spawn(binary, ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir], { stdio: "ignore" });
    child = started;
    await vi.waitFor(async () => expect(await accepts(port), `nats-server on port ${port} to accept connections`).toBe(true), {
      timeout: 10_000,
      interval: 20,
    });
  }

  async function kill(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  }

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    kill,
    restart: start,
    async dispose() {
      await kill();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
