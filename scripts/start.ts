// `npm start`: every service package under services/ as its own process, each with its
// workers, on its default port, and the web console on 7100; waits until each is ready, prints where they are, restarts
// a service that exits (0.5 s, doubling to 30 s; see createRestartPolicy) while the others
// keep running, and stops them all gracefully on Ctrl-C. Fails at once, naming the fix, when
// Postgres, NATS or Redis is not reachable.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { CONSOLE_PORT, loadConfig, SERVICE_PORTS } from "@paymesh/runtime";
import { runDemoSeed } from "./seed-demo.js";
import { runGovernanceSeed } from "./seed-governance.js";
import { type Supervisor, superviseProcess } from "./supervise-process.js";

const root = join(import.meta.dirname, "..");
const config = loadConfig({ service: "launcher", defaultPort: 0 });

const infrastructure = [
  {
    name: "PostgreSQL",
    url: config.postgresUrl,
    defaultPort: 5432,
    start: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
  },
  {
    name: "NATS JetStream",
    url: config.natsUrl,
    defaultPort: 4222,
    start:
      "start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log",
  },
  {
    name: "Redis",
    url: config.redisUrl,
    defaultPort: 6379,
    start:
      'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  },
];

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || "127.0.0.1", port: Number(port || defaultPort), timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

const missing = [];
for (const dep of infrastructure) {
  if (!(await reachable(dep.url, dep.defaultPort))) missing.push(dep);
}
if (missing.length > 0) {
  for (const dep of missing) {
    console.error(`${dep.name} is not reachable at ${new URL(dep.url).host}. Start it with:\n  ${dep.start}\n`);
  }
  process.exit(1);
}

const PORTS: Record<string, number> = { ...SERVICE_PORTS, console: CONSOLE_PORT };
const services = Object.keys(PORTS).filter((name) => existsSync(join(root, "services", name, "src", "main.ts")));
const unknown = readdirSync(join(root, "services"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !(entry.name in PORTS))
  .map((entry) => entry.name);
if (unknown.length > 0) console.warn(`ignoring services with no assigned port: ${unknown.join(", ")}`);
if (services.length === 0) {
  console.log("Infrastructure is up, but no service packages exist yet under services/.");
  process.exit(0);
}

const supervisors = new Map<string, Supervisor>();
let stopping = false;

function spawnService(name: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "services", name, "src", "main.ts")], {
    cwd: root,
    env: { ...process.env, PORT: String(PORTS[name]) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on("line", (line) => console.log(`${name.padEnd(13)} | ${format(line)}`));
  }
  return child;
}

function launch(name: string): Supervisor {
  return superviseProcess({
    start: () => spawnService(name),
    onExit({ code, signal, restartInMs }) {
      // runService exits 2 for a bad configuration, which no restart fixes.
      if (code === 2) {
        console.error(`${name} refused its configuration (see above); stopping the mesh`);
        void stopAll(1);
        return;
      }
      console.error(`${name} exited (${signal ?? `code ${code}`}); restarting it in ${restartInMs / 1000} s`);
    },
  });
}

/** Pino's JSON made readable for a person at a terminal. */
function format(line: string): string {
  try {
    const { level, msg, time: _time, service: _service, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const levels: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : "";
    return `${levels[level as number] ?? level} ${msg}${extra}`;
  } catch {
    return line;
  }
}

async function waitReady(name: string): Promise<void> {
  const url = `http://127.0.0.1:${PORTS[name]}/readyz`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} was not ready within 60 s`);
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await Promise.all([...supervisors.values()].map((supervisor) => supervisor.stop()));
    process.exit(code);
  }
  // A second request (Ctrl-C twice) waits for the first.
  return new Promise<never>(() => {});
}

process.on("SIGINT", () => void stopAll(0));
process.on("SIGTERM", () => void stopAll(0));

for (const name of services) supervisors.set(name, launch(name));
try {
  await Promise.all(services.map(waitReady));
} catch (error) {
  console.error((error as Error).message);
  await stopAll(1);
}

console.log("\npaymesh is up:");
for (const name of services) console.log(`  ${name.padEnd(13)} http://127.0.0.1:${PORTS[name]}`);
const first = services[0]!;
console.log(`\nTry:\n  grpcurl -plaintext 127.0.0.1:${PORTS[first]} list`);
console.log(`  TOKEN=$(npm run --silent token -- alice)`);

// With the money path complete, seed the demo (alice, bob and carol, funded, with handles) and show
// how to use it. Idempotent, so every start runs it; a failure is reported, not fatal.
if (["ledger", "handles", "transfers"].every((name) => services.includes(name))) {
  try {
    const seed = await runDemoSeed();
    console.log("\nDemo data (seeded idempotently):");
    for (const step of seed.steps) console.log(`  ${step}`);
    console.log(`\nSend money:\n${seed.commands.replace(/^/gm, "  ")}`);
  } catch (error) {
    console.error(`\ndemo seed failed (the services keep running): ${error instanceof Error ? error.message : String(error)}`);
  }
}
// Governance's demo: alice, bob and carol as members, and how to change the daily limit by vote.
if (services.includes("governance")) {
  try {
    const seed = await runGovernanceSeed();
    console.log("\nGovernance members (seeded idempotently):");
    for (const step of seed.steps) console.log(`  ${step}`);
    console.log(`\nChange a rule by vote:\n${seed.commands.replace(/^/gm, "  ")}`);
  } catch (error) {
    console.error(`\ngovernance seed failed (the services keep running): ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (services.includes("console")) {
  console.log(`\nOpen the console: http://127.0.0.1:${CONSOLE_PORT} (sign in as alice, bob, carol or an operator)`);
}
console.log("\nCtrl-C stops everything.");
