import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { waitForPort } from "./wait-for-port.js";

/** A server binary run as a child process on a fixed port, which a drill can take down and bring back. */
export interface Daemon {
  readonly name: string;
  readonly port: number;
  /** Stops it (SIGTERM, SIGKILL after 10 s) and waits until it exited: the outage begins. */
  down(): Promise<void>;
  /** Starts it again with the same arguments and waits until it listens: the outage ends. */
  up(): Promise<void>;
}

export interface DaemonOptions {
  name: string;
  command: string;
  args: string[];
  /** The port its arguments make it listen on; readiness is a TCP connection to it. */
  port: number;
  /** Appended to by every run of it, so an outage's before and after stay in one file. */
  logFile: string;
}

/** Starts `command` and waits until it listens on its port. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  let child: ChildProcess | undefined;
  const up = async () => {
    if (child !== undefined) return;
    const log = openSync(options.logFile, "a");
    const started = spawn(options.command, options.args, { stdio: ["ignore", log, log] });
    closeSync(log);
    child = started;
    try {
      await waitForPort(options.port, { alive: () => started.exitCode === null && started.signalCode === null });
    } catch (error) {
      await down();
      throw error;
    }
  };
  const down = async () => {
    const running = child;
    if (running === undefined) return;
    child = undefined;
    if (running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  await up();
  return { name: options.name, port: options.port, up, down };
}
