import type { DescService } from "@bufbuild/protobuf";
import type { Client, Interceptor } from "@connectrpc/connect";
import type { SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Database } from "@paymesh/db";
import {
  type ConsumerRunner,
  type ConsumerRunnerOptions,
  createConsumerRunner,
  createOutboxRelay,
  ensureStream,
  pruneEventTables,
  streamNameFor,
  streamSubjectFor,
  subjectFor,
} from "@paymesh/events";
import { OperationsService } from "@paymesh/gen/paymesh/operations/v1/operations_pb";
import type { Redis } from "ioredis";
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from "nats";
import type { DestinationStream, Logger } from "pino";
import { Gauge } from "prom-client";
import { createEventHealthReader, type DurableConsumer } from "./create-event-health-reader.js";
import { createIntervalWorker } from "./create-interval-worker.js";
import { createLogger } from "./create-logger.js";
import { createMetrics, type Metrics } from "./create-metrics.js";
import { createOperationsService } from "./create-operations-service.js";
import { createRedisClient } from "./create-redis-client.js";
import { createServer, type Server } from "./create-server.js";
import { createServiceClient } from "./create-service-client.js";
import { createServiceCredentials, type ServiceCredentials } from "./create-service-credentials.js";
import { createTextInputInterceptor } from "./create-text-input-interceptor.js";
import { createTokenVerifier } from "./create-token-verifier.js";
import { createEnvReader, type Env, type RetentionConfig, type ServiceConfig } from "./load-config.js";
import { loadServiceConfig } from "./load-service-config.js";
import { openServiceDatabase } from "./open-service-database.js";
import { registerEventMetrics } from "./register-event-metrics.js";
import { SERVICE_PORTS, type ServiceName } from "./service-ports.js";
import type { ServiceRegistration } from "./service-registration.js";
import { setupTracing } from "./setup-tracing.js";
import { withDeadline } from "./with-deadline.js";

/** How long `/readyz` waits for Redis to answer a PING before reporting it unreachable. */
const REDIS_READINESS_DEADLINE_MS = 500;

/** A background loop owned by a service: a projection consumer, an expiry sweeper, a recovery loop. */
export interface Worker {
  readonly name: string;
  start(): Promise<void>;
  /** Finishes the item in hand and stops. */
  stop(): Promise<void>;
}

/** Everything a service's own code is handed at start. */
export interface ServiceContext<TSchema extends Record<string, unknown>> {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  readonly database: Database<TSchema>;
  readonly nats: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly redis: Redis;
  readonly metrics: Metrics;
  readonly credentials: ServiceCredentials;
  /** Reads further, service-specific settings with the same fail-at-start rules. */
  readonly env: Env;
  /** The subject of one of this service's events, e.g. `paymesh.ledger.entry_posted`. */
  subject(event: string): string;
  /** A typed, service-credentialed client to another service, at `<NAME>_URL` or its default port. */
  clientFor<T extends DescService>(service: T, name: ServiceName): Client<T>;
  /**
   * A projection worker: a durable consumer of one context's stream that applies each event once
   * into this service's database, logging under its durable name.
   */
  projection(options: ProjectionOptions<Database<TSchema>["db"]>): ConsumerRunner;
}

/** A projection's own part of its consumer options; the service fills in NATS, database, stream and logger. */
export type ProjectionOptions<TDb extends Database<Record<string, unknown>>["db"]> = Omit<
  ConsumerRunnerOptions<TDb>,
  "js" | "db" | "stream" | "logger"
> & {
  /** The context whose stream it consumes, e.g. `ledger`. */
  context: string;
};

/** What a service contributes: its RPC services and its background workers. */
export interface ServiceParts {
  services: ServiceRegistration[];
  workers?: Worker[];
}

export interface ServiceDefinition<TSchema extends Record<string, unknown>> {
  name: ServiceName;
  /** The service's Drizzle schema (its `src/schema.ts`). */
  schema: TSchema;
  /** Its drizzle-kit migrations, applied at start. */
  migrationsFolder: string;
  /**
   * This service's defaults for the shared retention settings, where its events need others
   * than every service's (DEFAULT_RETENTION). The environment still overrides each.
   */
  retention?: Partial<RetentionConfig>;
  setup(context: ServiceContext<TSchema>): Promise<ServiceParts> | ServiceParts;
}

export interface StartServiceOptions {
  /** Default `process.env`. Tests pass their own database name, subject prefix and port 0. */
  env?: Env;
  spanProcessors?: SpanProcessor[];
  /** Where the service's log lines go. Default stdout; tests read them here. */
  logDestination?: DestinationStream;
  /**
   * Extra server interceptors, closest to the handlers (inside the error boundary, so they see
   * errors as the handlers throw them), after the one every service has (requests with text its
   * database cannot store are refused). Default none: services need none; tests use them to
   * alter what a service answers, e.g. to reword its error messages.
   */
  interceptors?: Interceptor[];
}

export interface RunningService<TSchema extends Record<string, unknown>> {
  readonly url: string;
  readonly server: Server;
  readonly context: ServiceContext<TSchema>;
  /** Graceful: drain RPCs, stop workers and the relay, then close connections. */
  stop(): Promise<void>;
}

/**
 * Brings a service up the same way everywhere: config, logs, tracing, its database
 * (created and migrated), NATS with its own stream, Redis, the outbox relay, the pruning of
 * its event tables, its workers and one server port, which serves the service's RPCs beside the
 * operations RPCs every service answers about its own events; and takes it down in the reverse order.
 */
export async function startService<TSchema extends Record<string, unknown>>(
  definition: ServiceDefinition<TSchema>,
  options: StartServiceOptions = {},
): Promise<RunningService<TSchema>> {
  const env = options.env ?? process.env;
  const config = loadServiceConfig(definition, env);
  const logger = createLogger({ service: config.service, level: config.logLevel, destination: options.logDestination });
  const shutdownTracing = setupTracing({
    service: config.service,
    otlpEndpoint: config.otlpEndpoint,
    spanProcessors: options.spanProcessors,
  });
  const cleanups: Array<() => Promise<unknown>> = [shutdownTracing];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) {
      await step().catch((error: unknown) => logger.error({ err: error }, "error while stopping"));
    }
  };
  try {
    const { database } = await openServiceDatabase(definition, { config, create: true });
    cleanups.push(() => database.close());
    const nats = await connect({
      servers: config.natsUrl,
      name: config.service,
      maxReconnectAttempts: -1,
      // Otherwise every JetStream publish (each outbox event) captures two stack traces up
      // front, in case it fails: a fifth of the ledger's CPU per posted entry (0.34 to 0.27 ms measured).
      noAsyncTraces: true,
    });
    cleanups.push(() => nats.drain());
    const jsm = await nats.jetstreamManager();
    const js = nats.jetstream();
    await ensureStream(jsm, {
      name: streamNameFor(config.subjectPrefix, config.service),
      subjects: [streamSubjectFor(config.subjectPrefix, config.service)],
      replicas: config.streamReplicas,
    });
    const redis = createRedisClient(config.redisUrl, { logger: logger.child({ component: "redis" }) });
    // Before connecting: a failed first connection keeps reconnecting until closed. QUIT is
    // refused at once while disconnected (no offline queue): then just close the socket.
    cleanups.push(() => redis.quit().catch(() => redis.disconnect()));
    // Redis is a cache and a rate limiter, with a fallback on every path: a service starts
    // without it (an instance rescheduled during a Redis outage must not crash-loop), and the
    // client goes on connecting in the background.
    await redis.connect().catch((error: unknown) => logger.warn({ err: error }, "starting without redis; it is used once reachable"));
    const relay = createOutboxRelay({ sql: database.sql, js, logger: logger.child({ component: "outbox-relay" }) });
    await relay.start();
    cleanups.push(() => relay.stop());

    const metrics = createMetrics({ service: config.service });
    const retentionLogger = logger.child({ component: "event-retention" });
    const retention = createIntervalWorker({
      name: "event-retention",
      intervalMs: config.retention.intervalMs,
      // At once: a service restarted more often than the interval must still prune.
      firstRun: "immediately",
      async run() {
        const pruned = await pruneEventTables(database.sql, {
          outboxRetentionMs: config.retention.outboxMs,
          processedEventsRetentionMs: config.retention.processedEventsMs,
        });
        if (pruned.outbox + pruned.processedEvents > 0) retentionLogger.debug(pruned, "pruned event tables");
      },
      logger: retentionLogger,
      registry: metrics.registry,
    });
    await retention.start();
    cleanups.push(() => retention.stop());
    new Gauge({
      name: "outbox_pending_events",
      help: "Events written to the outbox and not yet acknowledged by JetStream.",
      registers: [metrics.registry],
      async collect() {
        try {
          this.set(await relay.pendingCount());
        } catch {
          // The database is away: no sample, rather than a stale one or a failed scrape.
          this.reset();
        }
      },
    });
    new Gauge({
      name: "outbox_published_events",
      help: "Events this instance's relay has published since it started.",
      registers: [metrics.registry],
      collect() {
        this.set(relay.stats().published);
      },
    });
    const consumers: DurableConsumer[] = [];
    const eventHealth = createEventHealthReader({ sql: database.sql, jsm, consumers: () => consumers });
    registerEventMetrics({ registry: metrics.registry, reader: eventHealth });
    const credentials = createServiceCredentials({ ...config.auth, service: config.service });
    const urls = createEnvReader(env);
    const context: ServiceContext<TSchema> = {
      config,
      logger,
      database,
      nats,
      js,
      jsm,
      redis,
      metrics,
      credentials,
      env,
      subject: (event) => subjectFor(config.subjectPrefix, config.service, event),
      clientFor(service, name) {
        const baseUrl = urls.url(`${name.toUpperCase()}_URL`, `http://127.0.0.1:${SERVICE_PORTS[name]}`, ["http:", "https:"]);
        urls.finish();
        return createServiceClient(service, { baseUrl, credentials });
      },
      projection: ({ context: source, ...options }) => {
        const stream = streamNameFor(config.subjectPrefix, source);
        consumers.push({ stream, durable: options.durable });
        return createConsumerRunner({ ...options, js, db: database.db, stream, logger: logger.child({ component: options.durable }) });
      },
    };
    const parts = await definition.setup(context);
    for (const worker of parts.workers ?? []) {
      await worker.start();
      cleanups.push(() => worker.stop());
    }
    const server = createServer({
      name: config.service,
      services: [
        ...parts.services,
        { service: OperationsService, impl: createOperationsService({ service: config.service, sql: database.sql, reader: eventHealth }) },
      ],
      logger,
      verifyToken: createTokenVerifier(config.auth),
      metrics,
      host: config.host,
      port: config.port,
      tls: config.tls,
      corsOrigins: config.corsOrigins,
      shutdownGraceMs: config.shutdownGraceMs,
      readMaxBytes: config.requestMaxBytes,
      interceptors: [createTextInputInterceptor(), ...(options.interceptors ?? [])],
      readiness: {
        postgres: async () => {
          await database.sql`select 1`;
        },
      },
      degradedWithout: {
        nats: async () => {
          if (nats.isClosed()) throw new Error("connection closed");
          await nats.flush();
        },
        redis: async () => {
          // Refused at once while disconnected; the deadline covers a connection that went silent.
          await withDeadline(redis.ping(), REDIS_READINESS_DEADLINE_MS, "redis PING");
        },
      },
    });
    await server.start();
    cleanups.push(() => server.stop());
    let stopped: Promise<void> | undefined;
    return {
      url: server.url,
      server,
      context,
      stop: () => (stopped ??= cleanup()),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
