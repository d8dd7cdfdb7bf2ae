// Checks compose.yaml and Dockerfile, which nobody can run here (no Docker on our machines):
// dclint (Compose Specification schema + best-practice rules), the service list against the
// packages under services/, how every container is wired (the browser console included: where
// its page finds the services, and that they let its origin in), the NATS durability settings,
// and the Dockerfile's stages (the console's page built once, at image build), user,
// healthcheck and start command. The Dockerfile's HEALTHCHECK and
// CMD are executed for real on the host (against a local HTTP server / a stand-in `node`), so a
// command that cannot work (e.g. an exec-form CMD with an unexpanded $SERVICE) fails here.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { DCLinter } from "dclint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const COMPOSE_PATH = join(ROOT, "compose.yaml");
const DOCKERFILE_PATH = join(ROOT, "Dockerfile");

const INFRA = ["nats", "postgres", "redis"] as const;
/** The product services' agreed ports; a service not listed here only needs a unique port. */
const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  handles: 7101,
  ledger: 7102,
  transfers: 7103,
  notifications: 7104,
  governance: 7105,
};
/**
 * Product services that serve the browser console rather than RPCs, with their agreed ports:
 * built from the same Dockerfile, but with no database, broker or peer URLs (the browser calls
 * the services) and no /metrics.
 */
const WEB_TIER: Readonly<Record<string, number>> = { console: 7100 };
const EXPECTED_ENV = {
  NATS_URL: "nats://nats:4222",
  REDIS_URL: "redis://redis:6379",
  HOST: "0.0.0.0",
} as const;
/** `${AUTH_JWT_SECRET:?message}`: compose refuses to start when it is unset or empty. */
const REQUIRED_SECRET = /^\$\{AUTH_JWT_SECRET:\?[^}]*\}$/;

type Dict = Record<string, unknown>;

const isDict = (v: unknown): v is Dict => typeof v === "object" && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// compose helpers
// ---------------------------------------------------------------------------------------------

/**
 * Compose-style interpolation with an empty environment: `${X:-d}`/`${X-d}` give their default,
 * `${X:?e}`/`${X?e}` give `<required:X>`, plain `${X}`/`$X` give "" and `$$` is a literal `$`.
 */
function interpolate(value: string): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, op: string | undefined, arg: string | undefined) => {
      if (match === "$$") return "$";
      if (braced === undefined) return "";
      if (op === ":-" || op === "-") return arg ?? "";
      if (op === ":?" || op === "?") return `<required:${braced}>`;
      return "";
    },
  );
}

/** `environment:` as a map of raw (uninterpolated) strings, from either the map or the list form. */
function envOf(service: Dict): Record<string, string> {
  const env = service.environment;
  const out: Record<string, string> = {};
  if (Array.isArray(env)) {
    for (const item of env) {
      const s = String(item);
      const eq = s.indexOf("=");
      if (eq === -1) out[s] = "";
      else out[s.slice(0, eq)] = s.slice(eq + 1);
    }
  } else if (isDict(env)) {
    for (const [k, v] of Object.entries(env)) out[k] = v === null || v === undefined ? "" : String(v);
  }
  return out;
}

/** A command/test given as a list or a string, as a list of words. */
function words(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string") return value.trim().split(/\s+/);
  return [];
}

/** Container ports a service publishes to the host, from short (`[ip:]host:container[/proto]`) or long syntax. */
function publishedContainerPorts(service: Dict): number[] {
  return publishedPorts(service).map((p) => p.container);
}

/** Ports a service publishes: the host address ("" for every one), the host port and the container port. */
function publishedPorts(service: Dict): { ip: string; host: number; container: number }[] {
  const ports = Array.isArray(service.ports) ? service.ports : [];
  const out: { ip: string; host: number; container: number }[] = [];
  for (const p of ports) {
    if (isDict(p)) {
      if (p.published !== undefined) out.push({ ip: String(p.host_ip ?? ""), host: Number(p.published), container: Number(p.target) });
      continue;
    }
    const parts = String(p).split("/")[0]!.split(":");
    if (parts.length >= 2) {
      out.push({
        ip: parts.length >= 3 ? parts[0]! : "",
        host: Number(parts[parts.length - 2]),
        container: Number(parts[parts.length - 1]),
      });
    }
  }
  return out;
}

/**
 * The host port on which a service's own PORT is published where http://127.0.0.1 reaches it
 * (the loopback address or every address), i.e. where a browser on the host finds it.
 */
function hostPortOf(service: Dict): number | undefined {
  const port = Number(interpolate(envOf(service).PORT ?? ""));
  return publishedPorts(service).find((p) => p.container === port && ["", "127.0.0.1", "0.0.0.0"].includes(p.ip))?.host;
}

/** Mount targets of a service's volumes (short or long syntax). */
function volumeTargets(service: Dict): { source: string; target: string }[] {
  const vols = Array.isArray(service.volumes) ? service.volumes : [];
  return vols.map((v) => {
    if (isDict(v)) return { source: String(v.source ?? ""), target: String(v.target ?? "") };
    const parts = String(v).split(":");
    return parts.length === 1 ? { source: "", target: parts[0]! } : { source: parts[0]!, target: parts[1]! };
  });
}

/** Text of the file a service sees at `path`, from a top-level config (inline content or file) or a bind mount. */
function mountedFileText(compose: Dict, service: Dict, path: string): string | undefined {
  const topConfigs = isDict(compose.configs) ? compose.configs : {};
  for (const ref of Array.isArray(service.configs) ? service.configs : []) {
    const source = isDict(ref) ? String(ref.source) : String(ref);
    const target = isDict(ref) && ref.target !== undefined ? String(ref.target) : `/${source}`;
    if (target !== path) continue;
    const def = topConfigs[source];
    if (!isDict(def)) return undefined;
    if (typeof def.content === "string") return def.content;
    if (typeof def.file === "string" && existsSync(join(ROOT, def.file))) {
      return readFileSync(join(ROOT, def.file), "utf8");
    }
    return undefined;
  }
  for (const { source, target } of volumeTargets(service)) {
    if (target === path && /^\.{0,2}\//.test(source) && existsSync(join(ROOT, source))) {
      return readFileSync(join(ROOT, source), "utf8");
    }
  }
  return undefined;
}

/** Value following a flag (`-f v`, `--flag v` or `--flag=v`) in an argument list. */
function flagValue(args: string[], ...flags: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    for (const f of flags) {
      if (a === f) return args[i + 1];
      if (a.startsWith(`${f}=`)) return a.slice(f.length + 1);
    }
  }
  return undefined;
}

/** NATS server configuration with `#` and `//` comments removed (so a commented-out setting does not count). */
function stripNatsComments(conf: string): string {
  return conf
    .split("\n")
    .map((line) => line.replace(/(^|\s)(#|\/\/).*$/, ""))
    .join("\n");
}

/** Packages under services/ that have an entry point, i.e. that the Dockerfile can run. */
function servicePackages(): string[] {
  const dir = join(ROOT, "services");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "src", "main.ts")))
    .map((d) => d.name)
    .sort();
}

/** Compose services built from this repository (as opposed to infrastructure images). */
function productServices(compose: Dict): Record<string, Dict> {
  const services = isDict(compose.services) ? compose.services : {};
  const out: Record<string, Dict> = {};
  for (const [name, svc] of Object.entries(services)) if (isDict(svc) && svc.build !== undefined) out[name] = svc;
  return out;
}

/** The product services that serve RPCs (every product service but the web tier). */
function connectServices(compose: Dict): Record<string, Dict> {
  return Object.fromEntries(Object.entries(productServices(compose)).filter(([name]) => !(name in WEB_TIER)));
}

/** Origins a browser on the host opens the console at, from the port the console publishes. */
function consoleOrigins(compose: Dict): string[] {
  const web = productServices(compose).console;
  const port = web === undefined ? undefined : hostPortOf(web);
  return port === undefined ? [] : [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

/** `build:` problems of a product service: this repository's Dockerfile, SERVICE=<name>, no image. */
function buildProblems(name: string, svc: Dict): string[] {
  const problems: string[] = [];
  const p = (msg: string) => problems.push(`${name}: ${msg}`);
  const build = svc.build;
  if (!isDict(build)) {
    p("`build` must be a mapping with context, dockerfile and args.SERVICE");
  } else {
    if (String(build.context ?? ".").replace(/\/+$/, "") !== ".")
      p(`build.context must be the repository root ("."), got ${String(build.context)}`);
    if (build.dockerfile !== undefined && String(build.dockerfile).replace(/^\.\//, "") !== "Dockerfile")
      p(`build.dockerfile must be Dockerfile, got ${String(build.dockerfile)}`);
    if (build.target !== undefined && build.target !== "runtime") p(`build.target must be runtime, got ${String(build.target)}`);
    const args = isDict(build.args)
      ? Object.fromEntries(Object.entries(build.args).map(([k, v]) => [k, String(v)]))
      : Object.fromEntries(
          (Array.isArray(build.args) ? build.args : []).map((a) => {
            const s = String(a);
            return [s.split("=")[0], s.slice(s.indexOf("=") + 1)];
          }),
        );
    if (args.SERVICE !== name) p(`build.args.SERVICE must be "${name}", got ${JSON.stringify(args.SERVICE)}`);
  }
  if (svc.image !== undefined) p("a product service is built, it must not also name an `image`");
  return problems;
}

/**
 * Everything wrong with one Connect service entry (empty when it is right). `allProducts` are
 * the Connect services it must have a peer URL for; `browserOrigins`, the console's origins its
 * CORS_ORIGINS must allow.
 */
function productServiceProblems(name: string, svc: Dict, allProducts: Record<string, Dict>, browserOrigins: string[] = []): string[] {
  const problems: string[] = buildProblems(name, svc);
  const p = (msg: string) => problems.push(`${name}: ${msg}`);

  // depends_on: the three infrastructure containers, healthy.
  const deps = isDict(svc.depends_on) ? svc.depends_on : {};
  for (const infra of INFRA) {
    const dep = deps[infra];
    if (!isDict(dep) || dep.condition !== "service_healthy") p(`depends_on.${infra} must have condition: service_healthy`);
  }

  // healthcheck: present, enabled, asks /healthz.
  const hc = svc.healthcheck;
  const hcTest = isDict(hc) ? words(hc.test) : [];
  if (!isDict(hc) || hc.disable === true || hcTest.length === 0 || hcTest[0] === "NONE") p("needs a healthcheck");
  else if (!hcTest.join(" ").includes("/healthz")) p("healthcheck must call /healthz");

  // environment.
  const env = envOf(svc);
  for (const [key, want] of Object.entries(EXPECTED_ENV)) {
    if (interpolate(env[key] ?? "") !== want) p(`${key} must be ${want}, got ${JSON.stringify(env[key])}`);
  }
  const pg = /^postgres:\/\/postgres:postgres@postgres:5432\/([a-z_]+)$/.exec(interpolate(env.POSTGRES_URL ?? ""));
  if (!pg || !["postgres", `paymesh_${name}`].includes(pg[1]!))
    p(
      `POSTGRES_URL must be postgres://postgres:postgres@postgres:5432/postgres (password may come from ` +
        `\${POSTGRES_PASSWORD:-postgres}), got ${JSON.stringify(env.POSTGRES_URL)}`,
    );
  if (!REQUIRED_SECRET.test(env.AUTH_JWT_SECRET ?? ""))
    p(`AUTH_JWT_SECRET must be \${AUTH_JWT_SECRET:?set AUTH_JWT_SECRET}, got ${JSON.stringify(env.AUTH_JWT_SECRET)}`);

  const port = Number(interpolate(env.PORT ?? ""));
  if (!Number.isInteger(port) || port <= 0) p(`PORT must be set to a port number, got ${JSON.stringify(env.PORT)}`);
  else {
    const expected = DEFAULT_PORTS[name];
    if (expected !== undefined && port !== expected) p(`PORT must be ${expected}, got ${port}`);
    if (!publishedContainerPorts(svc).includes(port)) p(`port ${port} must be published (e.g. '127.0.0.1:${port}:${port}')`);
  }

  // Peer URLs: one for every other product service in the file, and none for a service that is not in it.
  for (const [peer, peerSvc] of Object.entries(allProducts)) {
    if (peer === name) continue;
    const key = `${peer.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_URL`;
    const want = `http://${peer}:${interpolate(envOf(peerSvc).PORT ?? "")}`;
    if (interpolate(env[key] ?? "") !== want) p(`${key} must be ${want}, got ${JSON.stringify(env[key])}`);
  }
  for (const key of Object.keys(env)) {
    const m = /^([A-Z0-9_]+)_URL$/.exec(key);
    const target = m?.[1]?.toLowerCase();
    if (target && target in DEFAULT_PORTS && !(target in allProducts)) p(`${key} points at ${target}, which has no entry in compose.yaml`);
  }

  // CORS: the console's page calls the service from the browser (NODE_ENV=production allows no origin by default).
  const cors = interpolate(env.CORS_ORIGINS ?? "")
    .split(",")
    .map((o) => o.trim());
  for (const origin of browserOrigins) {
    if (!cors.includes(origin)) p(`CORS_ORIGINS must allow the console at ${origin}, got ${JSON.stringify(env.CORS_ORIGINS)}`);
  }
  return problems;
}

/** Everything wrong with a web-tier entry (the console); `services` are the Connect services in the file. */
function webTierProblems(name: string, svc: Dict, services: Record<string, Dict>): string[] {
  const problems: string[] = buildProblems(name, svc);
  const p = (msg: string) => problems.push(`${name}: ${msg}`);

  const hc = svc.healthcheck;
  const hcTest = isDict(hc) ? words(hc.test) : [];
  if (!isDict(hc) || hc.disable === true || hcTest.length === 0 || hcTest[0] === "NONE") p("needs a healthcheck");
  else if (!hcTest.join(" ").includes("/readyz")) p("healthcheck must call /readyz");

  const env = envOf(svc);
  if (interpolate(env.HOST ?? "") !== "0.0.0.0") p(`HOST must be 0.0.0.0, got ${JSON.stringify(env.HOST)}`);
  const port = Number(interpolate(env.PORT ?? ""));
  if (port !== WEB_TIER[name]) p(`PORT must be ${WEB_TIER[name]}, got ${JSON.stringify(env.PORT)}`);
  else if (!publishedContainerPorts(svc).includes(port)) p(`port ${port} must be published (e.g. '127.0.0.1:${port}:${port}')`);
  // Under NODE_ENV=production the console signs nothing, so it must not hold the signing secret.
  if ("AUTH_JWT_SECRET" in env) p("must not have AUTH_JWT_SECRET: the console signs nothing in production");
  // The image's NODE_ENV=production: outside it the console hands out development tokens to anyone.
  if (env.NODE_ENV !== undefined && interpolate(env.NODE_ENV) !== "production") p(`NODE_ENV must stay production, got ${env.NODE_ENV}`);
  // The image points CONSOLE_STATIC_DIR at the page it built; anything else makes the console run Vite at start.
  if ("CONSOLE_STATIC_DIR" in env) p("CONSOLE_STATIC_DIR comes from the image (the page built by the Dockerfile); do not override it");
  // The browser calls the services, the console does not: no database, broker or peer URL.
  for (const key of ["POSTGRES_URL", "NATS_URL", "REDIS_URL"]) if (key in env) p(`${key}: the console uses none`);
  for (const key of Object.keys(env))
    if (/^[A-Z0-9_]+_URL$/.test(key) && !key.endsWith("_PUBLIC_URL")) p(`${key}: the console calls no service`);

  // <NAME>_PUBLIC_URL: where a browser on the host reaches each service, i.e. its published port.
  for (const [service, serviceSvc] of Object.entries(services)) {
    const key = `${service.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_PUBLIC_URL`;
    const hostPort = hostPortOf(serviceSvc);
    if (hostPort === undefined) {
      p(`${service} publishes no port, so a browser cannot reach it`);
      continue;
    }
    const want = `http://127.0.0.1:${hostPort}`;
    if (interpolate(env[key] ?? "") !== want) p(`${key} must be ${want} (the port ${service} publishes), got ${JSON.stringify(env[key])}`);
  }
  for (const key of Object.keys(env)) {
    const target = /^([A-Z0-9_]+)_PUBLIC_URL$/.exec(key)?.[1]?.toLowerCase();
    if (target && !(target in services)) p(`${key} points at ${target}, which has no entry in compose.yaml`);
  }
  return problems;
}

/** The commented-out product-service template in compose.yaml, parsed, if there is one. */
function templateService(source: string): { name: string; service: Dict } | undefined {
  const lines = source.split("\n");
  const marker = lines.findIndex((l) => /^\s*#\s*Template for a product service/i.test(l));
  if (marker === -1) return undefined;
  const block: string[] = [];
  let started = false;
  for (const line of lines.slice(marker + 1)) {
    if (!/^ {2}#/.test(line)) {
      if (started || line.trim() !== "") break;
      continue;
    }
    if (!started && /^ {2}# [a-z][\w-]*:\s*$/.test(line)) started = true;
    if (started) block.push(line.replace(/^ {2}# ?/, "  "));
  }
  if (!started) return undefined;
  const doc = parseYaml(`services:\n${block.join("\n")}\n`) as Dict;
  const [name, service] = Object.entries(doc.services as Dict)[0]!;
  return { name, service: service as Dict };
}

// ---------------------------------------------------------------------------------------------
// Dockerfile helpers
// ---------------------------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Instructions with line continuations joined; comment lines (also inside continuations) dropped. */
function parseDockerfile(text: string): { global: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let buf = "";
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*#/.test(raw)) continue;
    if (buf === "" && raw.trim() === "") continue;
    const line = raw.replace(/\s+$/, "");
    if (line.endsWith("\\")) {
      buf += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push((buf + line).trim());
    buf = "";
  }
  if (buf.trim() !== "") logical.push(buf.trim());

  const global: Instruction[] = [];
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(l)!;
    const ins = { op: m[1]!.toUpperCase(), args: m[2]!.trim() };
    if (ins.op === "FROM") {
      const parts = ins.args.split(/\s+/).filter((w) => !w.startsWith("--"));
      const as = parts.findIndex((w) => w.toUpperCase() === "AS");
      stages.push({ image: parts[0]!, name: as === -1 ? undefined : parts[as + 1], instructions: [] });
    } else if (stages.length === 0) global.push(ins);
    else stages[stages.length - 1]!.instructions.push(ins);
  }
  return { global, stages };
}

/** `KEY=value` pairs of an ENV instruction (also the legacy `ENV KEY value` form). */
function envPairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(args);
    if (m) out[m[1]!] = m[2]!;
    return out;
  }
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
    out[m[1]!] = m[2]!.replace(/^(["'])([\s\S]*)\1$/, "$2");
  }
  return out;
}

/** Sources of a COPY/ADD (flags and the destination dropped) and its --from, if any. */
function copySources(args: string): { from: string | undefined; sources: string[] } {
  const parts = args.startsWith("[") ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  const from = parts.find((p) => p.startsWith("--from="))?.slice("--from=".length);
  const plain = parts.filter((p) => !p.startsWith("--"));
  return { from, sources: plain.slice(0, -1).map((s) => s.replace(/\$\{?SERVICE\}?/g, "${SERVICE}").replace(/\/+$/, "")) };
}

/** argv a CMD/HEALTHCHECK CMD runs: JSON exec form as given, shell form as /bin/sh -c. */
function commandArgv(form: string): string[] {
  return form.startsWith("[") ? (JSON.parse(form) as string[]) : ["/bin/sh", "-c", form];
}

function run(
  argv: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: opts.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A local HTTP server answering GET `path` (default /healthz) with `status`; the port it listens on. */
async function healthServer(status: number, path = "/healthz"): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    res.statusCode = req.url === path ? status : 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const { server, port } = await healthServer(200);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------------------------------------
// tests
// ---------------------------------------------------------------------------------------------

describe("compose.yaml", () => {
  let source: string;
  let compose: Dict;
  let services: Record<string, Dict>;

  beforeAll(() => {
    source = readFileSync(COMPOSE_PATH, "utf8");
    compose = parseYaml(source, { merge: true }) as Dict;
    services = (isDict(compose.services) ? compose.services : {}) as Record<string, Dict>;
  });

  it("passes dclint without errors or warnings", async () => {
    // Same defaults as `npx dclint compose.yaml` (every rule on); .dclintrc is honoured if it exists.
    const rcPath = join(ROOT, ".dclintrc");
    const rc = existsSync(rcPath) ? (parseYaml(readFileSync(rcPath, "utf8")) as Dict) : {};
    const linter = new DCLinter({
      rules: isDict(rc.rules) ? (rc.rules as never) : {},
      quiet: false,
      debug: false,
      exclude: [],
    });
    const results = linter.lintFiles([COMPOSE_PATH], false);
    expect(results).toHaveLength(1);
    const report = await linter.formatResults(results, "compact");
    expect(results[0]!.errorCount, report).toBe(0);
    expect(results[0]!.warningCount, `${report}\n(style warnings: \`npx dclint --fix compose.yaml\`)`).toBe(0);
  });

  it("follows the Compose Specification: no top-level version, a project name", () => {
    expect(compose).not.toHaveProperty("version");
    expect(compose.name).toBe("paymesh");
  });

  it("has exactly one product service per package under services/ with src/main.ts", () => {
    const packages = servicePackages();
    const entries = Object.keys(productServices(compose)).sort();
    const missing = packages.filter((p) => !entries.includes(p));
    const orphans = entries.filter((e) => !packages.includes(e));
    expect(
      missing,
      `services/<name>/src/main.ts exists but compose.yaml has no entry: ${missing.join(", ")} ` +
        "(copy the template at the end of `services:` in compose.yaml)",
    ).toEqual([]);
    expect(orphans, `compose.yaml builds services that have no services/<name>/src/main.ts: ${orphans.join(", ")}`).toEqual([]);
  });

  it("builds, wires, health-checks and orders every product service", () => {
    const connect = connectServices(compose);
    const origins = consoleOrigins(compose);
    const problems = Object.entries(connect).flatMap(([name, svc]) => productServiceProblems(name, svc, connect, origins));
    expect(problems).toEqual([]);
    const ports = Object.values(productServices(compose)).map((s) => interpolate(envOf(s).PORT ?? ""));
    expect(new Set(ports).size, "product services need distinct ports").toBe(ports.length);
  });

  it("serves the console on 127.0.0.1:7100, pointed at the ports the services publish, and every service lets it in", () => {
    expect(services.console, "a console service (services/console)").toBeDefined();
    expect(consoleOrigins(compose)).toEqual(["http://127.0.0.1:7100", "http://localhost:7100"]);
    const web = Object.entries(productServices(compose)).filter(([name]) => name in WEB_TIER);
    expect(web.flatMap(([name, svc]) => webTierProblems(name, svc, connectServices(compose)))).toEqual([]);
  });

  it("keeps the product-service template in compose.yaml correct", () => {
    const template = templateService(source);
    if (!template) return; // every service has landed and the template was removed
    expect(productServiceProblems(template.name, template.service, { [template.name]: template.service })).toEqual([]);
  });

  it("never gives AUTH_JWT_SECRET a literal value", () => {
    for (const [name, svc] of Object.entries(services)) {
      const env = envOf(svc);
      if ("AUTH_JWT_SECRET" in env) {
        expect(env.AUTH_JWT_SECRET, `${name}: AUTH_JWT_SECRET`).toMatch(REQUIRED_SECRET);
      }
    }
    // Also catch it anywhere else in the file (an x- anchor, a list-form entry, ...).
    const offending = source.split("\n").filter((line) => {
      const m = /^\s*(?:-\s*)?["']?AUTH_JWT_SECRET["']?\s*[:=]\s*(.*)$/.exec(line);
      if (!m) return false;
      const value = m[1]!
        .replace(/\s+#.*$/, "")
        .trim()
        .replace(/^(["'])(.*)\1$/, "$2");
      return !REQUIRED_SECRET.test(value);
    });
    expect(offending, "AUTH_JWT_SECRET must be ${AUTH_JWT_SECRET:?...}").toEqual([]);
  });

  it("runs postgres 16 with a volume, env-supplied credentials and a pg_isready healthcheck", () => {
    const pg = services.postgres;
    expect(pg, "postgres service").toBeDefined();
    expect(String(pg!.image)).toMatch(/^postgres:16([.-]|$)/);
    expect(volumeTargets(pg!).map((v) => v.target)).toContain("/var/lib/postgresql/data");
    const env = envOf(pg!);
    const trust = env.POSTGRES_HOST_AUTH_METHOD === "trust";
    if (!trust) {
      expect(env.POSTGRES_PASSWORD, "POSTGRES_PASSWORD comes from the environment (with a dev default)").toMatch(
        /^\$\{POSTGRES_PASSWORD(:?-[^}]*)?\}$/,
      );
    }
    expect(words(isDict(pg!.healthcheck) ? pg!.healthcheck.test : undefined)).toContain("pg_isready");
  });

  it("runs redis 7 with a redis-cli ping healthcheck", () => {
    const redis = services.redis;
    expect(redis, "redis service").toBeDefined();
    expect(String(redis!.image)).toMatch(/^redis:7([.-]|$)/);
    const test = words(isDict(redis!.healthcheck) ? redis!.healthcheck.test : undefined).join(" ");
    expect(test).toContain("redis-cli");
    expect(test).toContain("ping");
  });

  it("runs NATS >= 2.11 with JetStream on file storage, fsync on every write, and a /healthz healthcheck", () => {
    const nats = services.nats;
    expect(nats, "nats service").toBeDefined();
    const image = String(nats!.image);
    const version = /^nats:(\d+)\.(\d+)/.exec(image);
    expect(version, `nats image needs an explicit version tag, got ${image}`).not.toBeNull();
    const [major, minor] = [Number(version![1]), Number(version![2])];
    expect(major > 2 || (major === 2 && minor >= 11), `nats ${major}.${minor} < 2.11`).toBe(true);

    // Command line: JetStream, store dir /data (on a volume), monitoring port, config file.
    const args = words(nats!.command);
    expect(args.includes("-js") || args.includes("--jetstream"), `-js in ${args.join(" ")}`).toBe(true);
    expect(flagValue(args, "-sd", "--store_dir")).toBe("/data");
    expect(flagValue(args, "-m", "--http_port")).toBe("8222");
    expect(
      volumeTargets(nats!).map((v) => v.target),
      "a volume on /data keeps the file store",
    ).toContain("/data");
    const confPath = flagValue(args, "-c", "--config");
    expect(confPath, "nats needs a config file (-c/--config)").toBeDefined();

    // Config file: jetstream { store_dir: /data, sync_interval: always }.
    const conf = mountedFileText(compose, nats!, confPath!);
    expect(conf, `nothing mounted at ${confPath} (configs: or a bind mount)`).toBeDefined();
    const body = stripNatsComments(conf!);
    const js = /\bjetstream\s*[:=]?\s*\{([^}]*)\}/.exec(body);
    expect(js, "config has a jetstream { ... } block").not.toBeNull();
    expect(js![1], "jetstream.sync_interval: always").toMatch(/\bsync_interval\s*[:=]?\s*["']?always["']?\s*(?:[,;]|$)/m);
    expect(js![1], "jetstream.store_dir: /data").toMatch(/\bstore_dir\s*[:=]?\s*["']?\/data["']?\s*(?:[,;]|$)/m);
    expect(js![1], "file storage must not be disabled").not.toMatch(/\bmax_file(_store)?\s*[:=]?\s*0\b/);

    // Healthcheck on the monitoring port; the default nats image is FROM scratch (no wget/curl/sh).
    const test = words(isDict(nats!.healthcheck) ? nats!.healthcheck.test : undefined);
    expect(test.join(" ")).toMatch(/:8222\/healthz/);
    if (["wget", "curl", "CMD-SHELL"].some((w) => test.includes(w))) {
      expect(image, "healthcheck needs a shell/wget: use the -alpine variant").toMatch(/alpine/);
    }
  });

  it("declares the named volumes and configs its services use", () => {
    const volumes = isDict(compose.volumes) ? Object.keys(compose.volumes) : [];
    const configs = isDict(compose.configs) ? Object.keys(compose.configs) : [];
    for (const [name, svc] of Object.entries(services)) {
      for (const { source: src } of volumeTargets(svc)) {
        if (src !== "" && !/^[./~]/.test(src)) expect(volumes, `${name} uses volume ${src}`).toContain(src);
      }
      for (const ref of Array.isArray(svc.configs) ? svc.configs : []) {
        const src = isDict(ref) ? String(ref.source) : String(ref);
        expect(configs, `${name} uses config ${src}`).toContain(src);
      }
      for (const dep of Object.keys(isDict(svc.depends_on) ? svc.depends_on : {})) {
        expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
        expect(services[dep]!.healthcheck, `${name} waits for ${dep} to be healthy, so ${dep} needs a healthcheck`).toBeDefined();
      }
    }
  });

  it("product-service healthchecks succeed on a healthy /healthz and fail otherwise", async () => {
    const checks = Object.entries(productServices(compose)).map(([name, svc]) => ({ name, svc }));
    const template = templateService(source);
    if (template) checks.push({ name: `${template.name} (template)`, svc: template.service });
    for (const { name, svc } of checks) {
      const test = isDict(svc.healthcheck) ? words(svc.healthcheck.test) : [];
      const argv = test[0] === "CMD" ? test.slice(1) : test[0] === "CMD-SHELL" ? ["/bin/sh", "-c", test.slice(1).join(" ")] : [];
      if (argv[0] !== "node" && argv[0] !== "/bin/sh") continue; // not runnable outside the image
      const path = name in WEB_TIER ? "/readyz" : "/healthz";
      for (const [status, ok] of [
        [200, true],
        [503, false],
      ] as const) {
        const { server, port } = await healthServer(status, path);
        try {
          const r = await run(argv, { env: { ...process.env, PORT: String(port) } });
          expect(r.code === 0, `${name}: healthcheck with ${path} ${status}: exit ${r.code} ${r.stderr}`).toBe(ok);
        } finally {
          server.close();
        }
      }
    }
  });
});

describe("Dockerfile", () => {
  let text: string;
  let stages: Stage[];
  let runtime: Stage;
  let deps: Stage;

  const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);

  beforeAll(() => {
    text = readFileSync(DOCKERFILE_PATH, "utf8");
    stages = parseDockerfile(text).stages;
    runtime = stages[stages.length - 1]!;
    deps = stages.find((s) => s.name === "deps")!;
  });

  it("is multi-stage with a deps stage and a final runtime stage", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(deps, "a stage named deps").toBeDefined();
    expect(runtime.name, "the last stage is named runtime").toBe("runtime");
  });

  it("installs with npm ci from the lockfile, copying only manifests first (layer cache)", () => {
    const runs = ops(deps, "RUN").map((i) => i.args);
    const ciIndex = deps.instructions.findIndex((i) => i.op === "RUN" && /\bnpm ci\b/.test(i.args));
    expect(ciIndex, `deps runs npm ci (got: ${runs.join(" | ")})`).toBeGreaterThanOrEqual(0);
    expect(text).toContain("package-lock.json");
    // Only manifests may reach the deps stage before npm ci (from the context or an earlier stage).
    for (const ins of deps.instructions.slice(0, ciIndex)) {
      if (ins.op !== "COPY" && ins.op !== "ADD") continue;
      const { from, sources } = copySources(ins.args);
      if (from === undefined) {
        for (const s of sources) expect(s, "deps copies only package manifests before npm ci").toMatch(/(^|\/)package(-lock)?\.json$/);
      } else {
        expect(
          stages.some((s) => s.name === from),
          `deps copies from stage ${from}`,
        ).toBe(true);
      }
    }
    // Every workspace glob's package.json is brought in (gen, libs/*, services/*).
    const workspaces = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { workspaces: string[] }).workspaces;
    for (const ws of workspaces) expect(text, `workspace ${ws}`).toContain(`${ws}/package.json`);
  });

  it("runs on slim Node 20 and selects the service with ARG SERVICE", () => {
    expect(runtime.image).toMatch(/^node:20(\.[\d.]+)?-([a-z]+-)?slim$/);
    const argIndex = runtime.instructions.findIndex((i) => i.op === "ARG" && /^SERVICE(=|$)/.test(i.args));
    expect(argIndex, "ARG SERVICE in the runtime stage").toBeGreaterThanOrEqual(0);
    const env = Object.assign({}, ...ops(runtime, "ENV").map((i) => envPairs(i.args))) as Record<string, string>;
    expect(env.NODE_ENV).toBe("production");
    expect(env.HOST).toBe("0.0.0.0");
  });

  it("copies node_modules from deps and gen/, libs/ and the selected service (with its drizzle/ migrations)", () => {
    const copies = ops(runtime, "COPY").map((i) => copySources(i.args));
    expect(
      copies.some((c) => c.from === "deps"),
      "COPY --from=deps",
    ).toBe(true);
    const local = copies.filter((c) => c.from === undefined).flatMap((c) => c.sources);
    for (const want of ["gen", "libs", "services/${SERVICE}"]) expect(local, `COPY ${want}`).toContain(want);
    // Excluding drizzle/ from the context would drop the migrations applied on start.
    const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim());
    expect(ignore.filter((l) => /drizzle/.test(l) && !l.startsWith("#"))).toEqual([]);
  });

  it("builds the console's page once, in a stage of its own, and points CONSOLE_STATIC_DIR at it", async () => {
    // The stage that runs `npm run build -w @paymesh/console -- <dir>`.
    const BUILD = /\bnpm run build (?:-w|--workspace) @paymesh\/console -- (\S+)/;
    const stage = stages.find((s) => ops(s, "RUN").some((i) => BUILD.test(i.args)));
    expect(stage, "a stage runs npm run build -w @paymesh/console -- <dir>").toBeDefined();
    expect(stage, "the page is built before the runtime stage, not by the container").not.toBe(runtime);
    const buildRun = ops(stage!, "RUN").find((i) => BUILD.test(i.args))!.args;
    const outDir = BUILD.exec(buildRun)![1]!.replace(/\/+$/, "");
    // It builds from the installed dependencies and the sources the page imports.
    expect(stage!.image === "deps" || ops(stage!, "COPY").some((i) => copySources(i.args).from === "deps"), "node_modules from deps").toBe(
      true,
    );
    const local = ops(stage!, "COPY")
      .map((i) => copySources(i.args))
      .filter((c) => c.from === undefined)
      .flatMap((c) => c.sources);
    for (const want of ["gen", "libs"]) expect(local, `COPY ${want} in ${stage!.name}`).toContain(want);
    expect(
      local.some((s) => s === "services/console" || s === "services/${SERVICE}"),
      `COPY services/console in ${stage!.name}`,
    ).toBe(true);

    // The runtime stage copies the result and points CONSOLE_STATIC_DIR at it.
    const copy = ops(runtime, "COPY").find((i) => copySources(i.args).from === stage!.name);
    expect(copy, `runtime: COPY --from=${stage!.name}`).toBeDefined();
    const parts = copy!.args.split(/\s+/).filter((w) => !w.startsWith("--"));
    expect(parts[0]!.replace(/\/+$/, "")).toBe(outDir);
    const workdir = ops(runtime, "WORKDIR").at(-1)?.args ?? "/";
    const dest = posix.resolve(workdir, parts[parts.length - 1]!);
    const env = Object.assign({}, ...ops(runtime, "ENV").map((i) => envPairs(i.args))) as Record<string, string>;
    expect(env.CONSOLE_STATIC_DIR, "runtime ENV CONSOLE_STATIC_DIR").toBeDefined();
    expect(posix.resolve(workdir, env.CONSOLE_STATIC_DIR!)).toBe(dest);

    // Run the stage's RUN with a stand-in npm: the console image builds the page (and fails
    // without index.html), any other image skips Vite and still gets the directory.
    const dir = mkdtempSync(join(tmpdir(), "paymesh-console-static-"));
    try {
      const bin = join(dir, "bin");
      const out = join(dir, "out");
      mkdirSync(bin);
      const npm = (writes: boolean) =>
        writeFileSync(
          join(bin, "npm"),
          `#!/bin/sh\necho "$@" >> "${dir}/npm-calls"\n${writes ? 'for a in "$@"; do last="$a"; done; echo "<!doctype html>" > "$last/index.html"\n' : ""}`,
          { mode: 0o755 },
        );
      const script = buildRun.split(outDir).join(out);
      const runAs = (service: string) =>
        run(["/bin/sh", "-c", script], { cwd: dir, env: { PATH: `${bin}:/usr/bin:/bin`, SERVICE: service } });
      const calls = () => (existsSync(join(dir, "npm-calls")) ? readFileSync(join(dir, "npm-calls"), "utf8").trim().split("\n") : []);

      npm(true);
      let r = await runAs("console");
      expect(r.code, r.stderr).toBe(0);
      expect(calls()).toEqual([`run build -w @paymesh/console -- ${out}`]);
      expect(existsSync(join(out, "index.html"))).toBe(true);

      rmSync(out, { recursive: true, force: true });
      rmSync(join(dir, "npm-calls"), { force: true });
      r = await runAs("ledger");
      expect(r.code, r.stderr).toBe(0);
      expect(calls(), "no Vite build for the other services").toEqual([]);
      expect(existsSync(out), "the directory exists for COPY --from").toBe(true);

      rmSync(out, { recursive: true, force: true });
      npm(false);
      r = await runAs("console");
      expect(r.code, "a build that leaves no index.html fails the image build").not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps host node_modules out of the build context", () => {
    const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim());
    expect(ignore).toContain("node_modules");
    expect(ignore).toContain("**/node_modules");
  });

  it("runs as the non-root node user and stops on SIGTERM", () => {
    const user = ops(runtime, "USER").at(-1)?.args;
    expect(user, "USER in the runtime stage").toBeDefined();
    expect(user).toMatch(/^node(:node)?$/);
    expect(ops(runtime, "STOPSIGNAL").at(-1)?.args).toBe("SIGTERM");
  });

  describe("HEALTHCHECK", () => {
    let argv: string[];
    const servers: Server[] = [];
    beforeAll(() => {
      const hc = ops(runtime, "HEALTHCHECK").at(-1);
      expect(hc, "HEALTHCHECK in the runtime stage").toBeDefined();
      const form = hc!.args.replace(/^(--[\w-]+=\S+\s+)*/, "");
      expect(form).toMatch(/^CMD\s/);
      argv = commandArgv(form.replace(/^CMD\s+/, ""));
    });
    afterAll(() => {
      for (const s of servers) s.close();
    });

    it("uses node (slim images have no curl) and $PORT", () => {
      expect(argv.join(" ")).toMatch(/\bnode\b/);
      expect(argv.join(" ")).toMatch(/PORT/);
      expect(argv.join(" ")).toContain("/healthz");
    });

    it("passes when GET /healthz on $PORT answers 200", async () => {
      const { server, port } = await healthServer(200);
      servers.push(server);
      const r = await run(argv, { env: { ...process.env, PORT: String(port) } });
      expect(r.code, r.stderr).toBe(0);
    });

    it("fails when /healthz answers 503 or nothing listens", async () => {
      const { server, port } = await healthServer(503);
      servers.push(server);
      expect((await run(argv, { env: { ...process.env, PORT: String(port) } })).code).not.toBe(0);
      expect((await run(argv, { env: { ...process.env, PORT: String(await closedPort()) } })).code).not.toBe(0);
    });
  });

  it("CMD starts services/$SERVICE/src/main.ts through tsx, with $SERVICE actually expanded", async () => {
    const cmd = ops(runtime, "CMD").at(-1);
    expect(cmd, "CMD in the runtime stage").toBeDefined();
    const argv = commandArgv(cmd!.args);
    const viaShell = /(^|\/)(ba)?sh$/.test(argv[0]!) && argv[1] === "-c";
    expect(viaShell || !argv.join(" ").includes("$"), "exec-form CMD does not expand variables; use shell form").toBe(true);

    // $SERVICE must exist at run time, i.e. ENV SERVICE=${SERVICE} after ARG SERVICE.
    const argIndex = runtime.instructions.findIndex((i) => i.op === "ARG" && /^SERVICE(=|$)/.test(i.args));
    const envIndex = runtime.instructions.findIndex((i) => i.op === "ENV" && /^\$\{?SERVICE\}?$/.test(envPairs(i.args).SERVICE ?? ""));
    expect(envIndex, "ENV SERVICE=${SERVICE} in the runtime stage").toBeGreaterThan(argIndex);

    // Run the command with stand-in `node`/`npx` that print their arguments.
    const dir = mkdtempSync(join(tmpdir(), "paymesh-cmd-"));
    try {
      for (const bin of ["node", "npx"]) {
        writeFileSync(join(dir, bin), `#!/bin/sh\necho ${bin}\nfor a in "$@"; do echo "$a"; done\n`);
        chmodSync(join(dir, bin), 0o755);
      }
      const r = await run(argv, { cwd: dir, env: { PATH: `${dir}:/usr/bin:/bin`, SERVICE: "ledger", PORT: "7102" } });
      expect(r.code, r.stderr).toBe(0);
      const printed = r.stdout.trim().split("\n");
      expect(printed).toContain("services/ledger/src/main.ts");
      const tsx = printed.join(" ");
      expect(/^node .*--import tsx\b/.test(tsx) || /^node .*--import=tsx\b/.test(tsx) || /^npx (.* )?tsx\b/.test(tsx), tsx).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
