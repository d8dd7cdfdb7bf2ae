import { ConfigError } from "./config-error.js";
import { DEFAULT_READ_MAX_BYTES } from "./default-read-max-bytes.js";
import { CONSOLE_PORT } from "./service-ports.js";

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
  /**
   * `EVENTS_STREAM_REPLICAS`: copies JetStream keeps of the service's stream. Default 1, what a
   * single NATS server holds; 3 on a 3-node cluster, so a stream survives losing a node.
   */
  readonly streamReplicas: number;
  readonly auth: AuthSettings;
  /**
   * Browser origins allowed by CORS (`CORS_ORIGINS`, comma-separated); empty means no
   * cross-origin access. Default: the development console's origins, none in production.
   */
  readonly corsOrigins: readonly string[];
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly logLevel: string;
  /** How long in-flight requests may drain on shutdown before they are cut. */
  readonly shutdownGraceMs: number;
  /**
   * `REQUEST_MAX_BYTES`: the largest request message, in bytes after decompression, of a method
   * that declares no limit of its own. Default DEFAULT_READ_MAX_BYTES (1 MiB).
   */
  readonly requestMaxBytes: number;
  /** Where to send traces; tracing SDK is only wired when set. */
  readonly otlpEndpoint: string | undefined;
  /** How long the event tables keep what the service no longer needs; startService prunes them. */
  readonly retention: RetentionConfig;
}

/**
 * How long a service keeps rows of its event tables, and how often it deletes older ones.
 * Parked events are not pruned: each waits for an operator.
 */
export interface RetentionConfig {
  /**
   * `OUTBOX_RETENTION_MS`: published outbox rows are deleted this long after JetStream
   * acknowledged them. Unpublished rows are never deleted.
   */
  readonly outboxMs: number;
  /** `PROCESSED_EVENTS_RETENTION_MS`: consumers' `processed_events` rows are deleted this long after they were written. */
  readonly processedEventsMs: number;
  /** `RETENTION_INTERVAL_MS`: the pause between pruning passes; a row outlives its retention by at most about this. */
  readonly intervalMs: number;
}

const DAY_MS = 86_400_000;

/**
 * Every service's retention unless its definition says otherwise.
 *
 * Outbox, 7 days. Once JetStream acknowledged an event, nothing needs its outbox row: the relay
 * reads only unpublished rows, and the stream keeps every event (no age limit, so projections
 * can be rebuilt from it). The rows are kept a week for people: what a service published and
 * when, its publish attempts and last error, the trace it belongs to, while an incident (even
 * one found after a weekend) is still being looked into.
 *
 * Processed events, 7 days. A row is what makes a consumer skip an event it already applied,
 * so it must outlive every way that event can come again; once it is gone, a copy would be
 * applied a second time. Within minutes: a redelivery after the ack wait (30 s), retries with
 * back-off until the event is parked (5 deliveries, about a minute), a republish that the
 * stream's duplicate window (2 min) did not catch. But two cases last as long as an outage: an
 * instance that committed an event and died before acknowledging it gets it again when its
 * consumer next runs, and a relay that died between publishing and recording it publishes it
 * again, as a new message past the duplicate window, when its service comes back. A week
 * covers an outage over a long weekend with room to spare, hence far above the 2-minute window
 * (and the configurable floor is an hour). A durable consumer deleted and declared again starts
 * over from the stream's first event, which no retention covers: rebuild its projection
 * instead (rebuildProjection), which resets its rows itself.
 *
 * Interval, 1 minute. A pass that finds nothing due still reads each table once; every minute
 * keeps that negligible, and a row outlives its retention by at most a minute.
 */
export const DEFAULT_RETENTION: RetentionConfig = { outboxMs: 7 * DAY_MS, processedEventsMs: 7 * DAY_MS, intervalMs: 60_000 };

/** The shortest processed-events retention accepted: well beyond every redelivery that does not wait on an outage. */
const MIN_PROCESSED_EVENTS_RETENTION_MS = 3_600_000;
const MAX_RETENTION_MS = 365 * DAY_MS;

export interface LoadConfigOptions {
  service: string;
  defaultPort: number;
  /** Defaults to `process.env`. */
  env?: Env;
  /** The service's own defaults for the retention settings. Default {@link DEFAULT_RETENTION}, each one. */
  retention?: Partial<RetentionConfig>;
}

/**
 * A development-only signing secret, so `npm start` works on a fresh machine.
 * It is public (it is in the repository) and therefore refused in production.
 */
export const DEVELOPMENT_AUTH_SECRET = "paymesh-development-secret-do-not-use-in-production";

const MIN_SECRET_BYTES = 32;

/** The console as `npm start` serves it; production names its origins in CORS_ORIGINS. */
const DEVELOPMENT_CORS_ORIGINS = `http://127.0.0.1:${CONSOLE_PORT},http://localhost:${CONSOLE_PORT}`;

/** The bearer-token settings: what services verify with, and what the development sign-in signs with. */
export interface AuthSettings {
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
}

/**
 * Reads AUTH_JWT_SECRET, AUTH_ISSUER and AUTH_AUDIENCE into `reader`'s problems: the built-in
 * development secret is refused under NODE_ENV=production, and any secret too short for HS256.
 */
export function readAuthSettings(reader: EnvReader, nodeEnv: string): AuthSettings {
  const secret = reader.string("AUTH_JWT_SECRET", DEVELOPMENT_AUTH_SECRET);
  if (nodeEnv === "production" && secret === DEVELOPMENT_AUTH_SECRET) {
    reader.problem("AUTH_JWT_SECRET", "the built-in development secret is refused when NODE_ENV=production");
  } else if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    reader.problem("AUTH_JWT_SECRET", `must be at least ${MIN_SECRET_BYTES} bytes for HS256`);
  }
  return { secret, issuer: reader.string("AUTH_ISSUER", "paymesh"), audience: reader.string("AUTH_AUDIENCE", "paymesh") };
}

/**
 * Reads and validates a service's configuration from the environment. Every problem is
 * collected and reported at once, each naming its variable, so a misconfigured deploy
 * fails at start with one actionable message instead of at the first request.
 */
export function loadConfig(options: LoadConfigOptions): ServiceConfig {
  const env = options.env ?? process.env;
  const reader = createEnvReader(env);
  const nodeEnv = reader.string("NODE_ENV", "development");
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
    // JetStream allows at most 5 replicas of a stream.
    streamReplicas: reader.integer("EVENTS_STREAM_REPLICAS", 1, 1, 5),
    auth: readAuthSettings(reader, nodeEnv),
    corsOrigins: reader
      .string("CORS_ORIGINS", nodeEnv === "production" ? "" : DEVELOPMENT_CORS_ORIGINS)
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
    // Under 1 KiB nothing useful fits; connect reads at most 4 GiB - 1 whatever it is told.
    requestMaxBytes: reader.integer("REQUEST_MAX_BYTES", DEFAULT_READ_MAX_BYTES, 1_024, 0xffff_ffff),
    otlpEndpoint: reader.string("OTEL_EXPORTER_OTLP_ENDPOINT", "") || undefined,
    retention: readRetention(reader, { ...DEFAULT_RETENTION, ...options.retention }),
  };
  reader.finish();
  return config;
}

function readRetention(reader: EnvReader, defaults: RetentionConfig): RetentionConfig {
  const processedEventsMs = reader.integer("PROCESSED_EVENTS_RETENTION_MS", defaults.processedEventsMs, 0, MAX_RETENTION_MS);
  if (processedEventsMs < MIN_PROCESSED_EVENTS_RETENTION_MS) {
    reader.problem(
      "PROCESSED_EVENTS_RETENTION_MS",
      `must be at least ${MIN_PROCESSED_EVENTS_RETENTION_MS} (1 hour): a processed event's row must outlive every redelivery of it`,
    );
  }
  return {
    outboxMs: reader.integer("OUTBOX_RETENTION_MS", defaults.outboxMs, 0, MAX_RETENTION_MS),
    processedEventsMs,
    intervalMs: reader.integer("RETENTION_INTERVAL_MS", defaults.intervalMs, 10, DAY_MS),
  };
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
