import { ConfigError } from "./config-error.js";

/** The environment as a plain record; tests pass their own instead of `process.env`. */
export type Env = Record<string, string | undefined>;

/** What every paymesh service reads from its environment. */
export interface ServiceConfig {
  /** The service's name, e.g. `ledger`; also names its database `paymesh_<service>`. */
  readonly service: string;
  readonly nodeEnv: string;
  readonly host: string;
  readonly port: number;
  /** A URL of the Postgres server; the service swaps in its own database name. */
  readonly postgresUrl: string;
  /** The service's own database. Default `paymesh_<service>`; tests use a fresh one per file. */
  readonly databaseName: string;
  readonly natsUrl: string;
  readonly redisUrl: string;
  /** First segment of every event subject and stream name (tests use a unique one). */
  readonly subjectPrefix: string;
  readonly auth: {
    readonly secret: string;
    readonly issuer: string;
    readonly audience: string;
  };
  /** Browser origins allowed by CORS; empty means no cross-origin access. */
  readonly corsOrigins: readonly string[];
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly logLevel: string;
  /** How long in-flight requests may drain on shutdown before they are cut. */
  readonly shutdownGraceMs: number;
  /** Where to send traces; tracing SDK is only wired when set. */
  readonly otlpEndpoint: string | undefined;
}

export interface LoadConfigOptions {
  service: string;
  defaultPort: number;
  /** Defaults to `process.env`. */
  env?: Env;
}

/**
 * A development-only signing secret, so `npm start` works on a fresh machine.
 * It is public (it is in the repository) and therefore refused in production.
 */
export const DEVELOPMENT_AUTH_SECRET = "paymesh-development-secret-do-not-use-in-production";

const MIN_SECRET_BYTES = 32;

/**
 * Reads and validates a service's configuration from the environment. Every problem is
 * collected and reported at once, each naming its variable, so a misconfigured deploy
 * fails at start with one actionable message instead of at the first request.
 */
export function loadConfig(options: LoadConfigOptions): ServiceConfig {
  const env = options.env ?? process.env;
  const reader = createEnvReader(env);
  const nodeEnv = reader.string("NODE_ENV", "development");
  const secret = reader.string("AUTH_JWT_SECRET", DEVELOPMENT_AUTH_SECRET);
  if (nodeEnv === "production" && secret === DEVELOPMENT_AUTH_SECRET) {
    reader.problem("AUTH_JWT_SECRET", "the built-in development secret is refused when NODE_ENV=production");
  } else if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    reader.problem("AUTH_JWT_SECRET", `must be at least ${MIN_SECRET_BYTES} bytes for HS256`);
  }
  const certFile = reader.string("TLS_CERT_FILE", "");
  const keyFile = reader.string("TLS_KEY_FILE", "");
  if ((certFile === "") !== (keyFile === "")) {
    reader.problem(certFile ? "TLS_KEY_FILE" : "TLS_CERT_FILE", "TLS needs both TLS_CERT_FILE and TLS_KEY_FILE");
  }
  const config: ServiceConfig = {
    service: options.service,
    nodeEnv,
    host: reader.string("HOST", "127.0.0.1"),
    port: reader.port("PORT", options.defaultPort),
    postgresUrl: reader.url("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres", ["postgres:", "postgresql:"]),
    databaseName: reader.match(
      "DATABASE_NAME",
      `paymesh_${options.service}`,
      /^[a-z_][a-z0-9_]{0,62}$/,
      "a lower-case Postgres identifier",
    ),
    natsUrl: reader.url("NATS_URL", "nats://127.0.0.1:4222", ["nats:", "tls:"]),
    redisUrl: reader.url("REDIS_URL", "redis://127.0.0.1:6379", ["redis:", "rediss:"]),
    subjectPrefix: reader.match("EVENTS_SUBJECT_PREFIX", "paymesh", /^[a-z][a-z0-9_]*$/, "lower-case letters, digits and _"),
    auth: {
      secret,
      issuer: reader.string("AUTH_ISSUER", "paymesh"),
      audience: reader.string("AUTH_AUDIENCE", "paymesh"),
    },
    corsOrigins: reader
      .string("CORS_ORIGINS", "")
      .split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ""),
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
    logLevel: reader.match(
      "LOG_LEVEL",
      "info",
      /^(fatal|error|warn|info|debug|trace|silent)$/,
      "one of fatal, error, warn, info, debug, trace, silent",
    ),
    shutdownGraceMs: reader.integer("SHUTDOWN_GRACE_MS", 10_000, 0, 600_000),
    otlpEndpoint: reader.string("OTEL_EXPORTER_OTLP_ENDPOINT", "") || undefined,
  };
  reader.finish();
  return config;
}

/**
 * Typed, collecting access to environment variables. Services use it for their own
 * settings so that they fail the same way as the shared ones.
 */
export interface EnvReader {
  string(name: string, fallback: string): string;
  integer(name: string, fallback: number, min: number, max: number): number;
  port(name: string, fallback: number): number;
  url(name: string, fallback: string, protocols: readonly string[]): string;
  match(name: string, fallback: string, pattern: RegExp, expected: string): string;
  problem(name: string, message: string): void;
  /** Throws a {@link ConfigError} listing every problem found so far. */
  finish(): void;
}

export function createEnvReader(env: Env): EnvReader {
  const problems: string[] = [];
  const raw = (name: string) => {
    const value = env[name];
    return value === undefined || value === "" ? undefined : value;
  };
  const reader: EnvReader = {
    string: (name, fallback) => raw(name) ?? fallback,
    integer(name, fallback, min, max) {
      const value = raw(name);
      if (value === undefined) return fallback;
      const parsed = Number(value);
      if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
        problems.push(`${name}=${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`);
        return fallback;
      }
      return parsed;
    },
    port: (name, fallback) => reader.integer(name, fallback, 0, 65_535),
    url(name, fallback, protocols) {
      const value = raw(name) ?? fallback;
      try {
        const url = new URL(value);
        if (!protocols.includes(url.protocol)) {
          problems.push(`${name}: expected a URL starting with ${protocols.join(" or ")}//`);
        }
      } catch {
        problems.push(`${name}: not a valid URL`);
      }
      return value;
    },
    match(name, fallback, pattern, expected) {
      const value = raw(name) ?? fallback;
      if (!pattern.test(value)) problems.push(`${name}=${JSON.stringify(value)}: expected ${expected}`);
      return value;
    },
    problem(name, message) {
      problems.push(`${name}: ${message}`);
    },
    finish() {
      if (problems.length > 0) throw new ConfigError(problems);
    },
  };
  return reader;
}
