import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { tmpdir } from "node:os";

/** A redis-server owned by one test, to break without touching the shared one. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`: pass it as `REDIS_URL` to the services under test. */
  readonly url: string;
  readonly port: number;
  /** SIGKILL: no shutdown, every connection reset. It keeps nothing on disk, so its data is gone. */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port (after `kill`). */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers, like a hung server or a black-holed network. */
  pause(): void;
  /** SIGCONT: it answers again, working through what it was sent meanwhile. */
  resume(): void;
  /** Kills it for good (whatever state it is in). */
  stop(): Promise<void>;
}

/** Ports tried before giving up, in case another process takes the one picked before the server binds it. */
const PORT_ATTEMPTS = 5;

/**
 * Starts `redis-server` (from PATH) as a child process on a free port of 127.0.0.1, without
 * persistence, and waits until it accepts connections. The child is killed when this process
 * exits, so a failed test run leaves no server behind.
 */
export async function startRedisServer(): Promise<RedisServer> {
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; child === undefined; attempt++) {
    port = await unusedPort();
    try {
      child = await spawnRedis(port);
    } catch (error) {
      if (attempt === PORT_ATTEMPTS) throw error;
    }
  }
  const killOnExit = () => child?.kill("SIGKILL");
  process.once("exit", killOnExit);
  const kill = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  const signal = (name: NodeJS.Signals) => {
    if (child === undefined) throw new Error("the redis-server is not running");
    child.kill(name);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    async restart() {
      await kill();
      child = await spawnRedis(port);
    },
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    async stop() {
      process.off("exit", killOnExit);
      await kill();
    },
  };
}

/** A port nothing listens on right now (the OS's pick), for the server about to be started. */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves once the server logs that it accepts connections; rejects, with its output, if it exits first. */
function spawnRedis(port: number): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmpdir()];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes("Ready to accept connections")) return;
      child.off("exit", onExit);
      // Keep draining its output (it logs on every client change) so the pipe never fills.
      child.stdout?.off("data", onOutput).resume();
      resolve(child);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      reject(new Error(`redis-server on port ${port} exited (${signal ?? code}) before accepting connections:\n${output}`));
    child.once("error", reject);
    child.once("exit", onExit);
    child.stdout?.on("data", onOutput);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
  });
}
