import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { type Env, type Role, type RunningService, type ServiceDefinition, type StartServiceOptions, startService } from "@paymesh/runtime";
import { createTestDatabase, type TestDatabase } from "./create-test-database.js";
import { createTestNats, type TestNats } from "./create-test-nats.js";
import { mintTestToken, TEST_AUTH } from "./test-auth.js";

export interface TestMesh {
  /** The subject prefix every service of this mesh publishes under. */
  readonly prefix: string;
  readonly nats: TestNats;
  /**
   * Starts a service in-process on an ephemeral port, with a fresh database, this mesh's
   * subject prefix, and the URLs of the services started before it. `options.interceptors`
   * (default none) are added to its server, closest to its handlers.
   */
  start<TSchema extends Record<string, unknown>>(
    definition: ServiceDefinition<TSchema>,
    env?: Env,
    options?: Pick<StartServiceOptions, "interceptors">,
  ): Promise<RunningService<TSchema> & { database: TestDatabase }>;
  /** A typed client to a started service, calling as `subject` with `role`. */
  client<T extends DescService>(
    service: T,
    target: { url: string },
    as?: { subject: string; role?: Role },
    protocol?: "grpc" | "connect",
  ): Client<T>;
  /** Stops every service (newest first), drops their databases, deletes the streams. */
  stop(): Promise<void>;
}

/** Real services wired together the way `npm start` does, isolated for one test file. */
export async function createTestMesh(): Promise<TestMesh> {
  const nats = await createTestNats();
  const started: Array<{ service: RunningService<Record<string, unknown>>; database: TestDatabase }> = [];
  const urls: Env = {};
  return {
    prefix: nats.prefix,
    nats,
    async start(definition, extraEnv = {}, options = {}) {
      const database = await createTestDatabase();
      const env: Env = {
        ...process.env,
        ...urls,
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_NAME: database.name,
        EVENTS_SUBJECT_PREFIX: nats.prefix,
        AUTH_JWT_SECRET: TEST_AUTH.secret,
        AUTH_ISSUER: TEST_AUTH.issuer,
        AUTH_AUDIENCE: TEST_AUTH.audience,
        LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
        SHUTDOWN_GRACE_MS: "2000",
        ...extraEnv,
      };
      const service = await startService(definition, { env, interceptors: options.interceptors }).catch(async (error: unknown) => {
        await database.drop();
        throw error;
      });
      started.push({ service: service as unknown as RunningService<Record<string, unknown>>, database });
      urls[`${definition.name.toUpperCase()}_URL`] = service.url;
      return Object.assign(service, { database });
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
      for (const { service } of started.reverse()) await service.stop();
      await Promise.all(started.map(({ database }) => database.drop()));
      await nats.cleanup();
    },
  };
}
