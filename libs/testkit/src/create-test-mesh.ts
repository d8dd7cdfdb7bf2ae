import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { type Env, type Role, type RunningService, type ServiceDefinition, type StartServiceOptions, startService } from "@paymesh/runtime";
import { createTestDatabase, type TestDatabase } from "./create-test-database.js";
import { createTestNats, type TestNats } from "./create-test-nats.js";
import { deleteRedisKeys } from "./delete-redis-keys.js";
import { redisTestPrefix } from "./redis-test-prefix.js";
import { mintTestToken, TEST_AUTH } from "./test-auth.js";

export interface TestMesh {
  /** The subject prefix every service of this mesh publishes under. */
  readonly prefix: string;
  readonly nats: TestNats;
  /**
   * Starts a service in-process on an ephemeral port, with a fresh database, this mesh's
   * subject prefix, the URLs of the services started before it, and a Redis key prefix of
   * this mesh's as `<NAME>_REDIS_PREFIX` (handles reads `HANDLES_REDIS_PREFIX`). Every
   * instance of a service shares that prefix, as replicas of one deployment do.
   * `options.interceptors` (default none) are added to its server, closest to its handlers;
   * `options.logDestination` (default stdout) receives its log lines.
   */
  start<TSchema extends Record<string, unknown>>(
    definition: ServiceDefinition<TSchema>,
    env?: Env,
    options?: Pick<StartServiceOptions, "interceptors" | "logDestination">,
  ): Promise<RunningService<TSchema> & { database: TestDatabase; redisPrefix: string }>;
  /** A further database owned by the mesh, for a service the test runs itself (e.g. as a child process). */
  database(): Promise<TestDatabase>;
  /** A typed client to a started service, calling as `subject` with `role`. */
  client<T extends DescService>(
    service: T,
    target: { url: string },
    as?: { subject: string; role?: Role },
    protocol?: "grpc" | "connect",
  ): Client<T>;
  /**
   * Stops every service (newest first), drops the mesh's databases, deletes the streams, and
   * deletes the Redis keys under the mesh's prefixes or namespaced by one of its databases'
   * names (transfers scopes its idempotency claims that way).
   */
  stop(): Promise<void>;
}

/** Real services wired together the way `npm start` does, isolated for one test file. */
export async function createTestMesh(): Promise<TestMesh> {
  const nats = await createTestNats();
  const redis = redisTestPrefix("mesh");
  const started: Array<RunningService<Record<string, unknown>>> = [];
  const databases: TestDatabase[] = [];
  const urls: Env = {};
  const database = async () => {
    const created = await createTestDatabase();
    databases.push(created);
    return created;
  };
  return {
    prefix: nats.prefix,
    nats,
    database,
    async start(definition, extraEnv = {}, options = {}) {
      const fresh = await database();
      const redisPrefix = `${redis.prefix}${definition.name}:`;
      const env: Env = {
        ...process.env,
        ...urls,
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_NAME: fresh.name,
        EVENTS_SUBJECT_PREFIX: nats.prefix,
        [`${definition.name.toUpperCase()}_REDIS_PREFIX`]: redisPrefix,
        AUTH_JWT_SECRET: TEST_AUTH.secret,
        AUTH_ISSUER: TEST_AUTH.issuer,
        AUTH_AUDIENCE: TEST_AUTH.audience,
        LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
        SHUTDOWN_GRACE_MS: "2000",
        ...extraEnv,
      };
      const service = await startService(definition, {
        env,
        interceptors: options.interceptors,
        logDestination: options.logDestination,
      }).catch(async (error: unknown) => {
        await fresh.drop();
        throw error;
      });
      started.push(service as unknown as RunningService<Record<string, unknown>>);
      urls[`${definition.name.toUpperCase()}_URL`] = service.url;
      return Object.assign(service, { database: fresh, redisPrefix });
    },
    client(service, target, as, protocol = "grpc") {
      const auth: Interceptor[] = as
        ? [
            (next) => async (req) => {
              req.header.set("authorization", `Bearer ${await mintTestToken(as.subject, as.role)}`);
              return next(req);
            },
          ]
        : [];
      const transport =
        protocol === "grpc"
          ? createGrpcTransport({ baseUrl: target.url, interceptors: auth })
          : createConnectTransport({ baseUrl: target.url, httpVersion: "1.1", interceptors: auth });
      return createClient(service, transport);
    },
    async stop() {
      for (const service of started.reverse()) await service.stop();
      await Promise.all(databases.map((owned) => owned.drop()));
      await nats.cleanup();
      await redis.cleanup();
      await deleteRedisKeys(databases.map((owned) => `*:${owned.name}:*`));
    },
  };
}
