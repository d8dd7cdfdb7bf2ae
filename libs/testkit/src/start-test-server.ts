import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import {
  type ConnectionTimeouts,
  createLogger,
  createMetrics,
  createServer,
  createTokenVerifier,
  type ReadinessCheck,
  type Role,
  type Server,
  type ServiceRegistration,
} from "@paymesh/runtime";
import { mintTestToken, TEST_AUTH } from "./test-auth.js";

export type TestProtocol = "grpc" | "connect" | "grpc-web";

export interface TestServerOptions {
  services: ServiceRegistration[];
  readiness?: Record<string, ReadinessCheck>;
  degradedWithout?: Record<string, ReadinessCheck>;
  corsOrigins?: string[];
  /** Default 2 s, so shutdown tests stay quick. */
  shutdownGraceMs?: number;
  /** Default `silent`; set LOG_LEVEL to see the server's logs while debugging a test. */
  logLevel?: string;
  /** PEM files to serve TLS with; clients then trust `tls.ca`. */
  tls?: { certFile: string; keyFile: string; ca: string };
  /** Default the server's own (1 MiB); limit tests lower it. */
  readMaxBytes?: number;
  /** Default the server's own (DEFAULT_CONNECTION_TIMEOUTS); timeout tests shorten them. */
  timeouts?: Partial<ConnectionTimeouts>;
}

export interface TestServer {
  readonly server: Server;
  readonly url: string;
  /** A client that calls as `subject` with `role`, over the chosen protocol (gRPC by default). */
  client<T extends DescService>(service: T, as?: { subject: string; role?: Role }, protocol?: TestProtocol): Client<T>;
  transport(protocol: TestProtocol, interceptors?: Interceptor[]): Transport;
  stop(): Promise<void>;
}

/** Starts the real runtime in-process on an ephemeral port with the given services. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const logger = createLogger({ service: "test", level: options.logLevel ?? process.env.LOG_LEVEL ?? "silent" });
  const server = createServer({
    name: "test",
    services: options.services,
    logger,
    verifyToken: createTokenVerifier(TEST_AUTH),
    metrics: createMetrics({ service: "test", processMetrics: false }),
    readiness: options.readiness,
    degradedWithout: options.degradedWithout,
    corsOrigins: options.corsOrigins,
    shutdownGraceMs: options.shutdownGraceMs ?? 2_000,
    tls: options.tls,
    readMaxBytes: options.readMaxBytes,
    timeouts: options.timeouts,
  });
  await server.start();
  const transport = (protocol: TestProtocol, interceptors: Interceptor[] = []): Transport => {
    const common = { baseUrl: server.url, interceptors, nodeOptions: options.tls ? { ca: options.tls.ca } : undefined };
    if (protocol === "grpc") return createGrpcTransport(common);
    if (protocol === "grpc-web") return createGrpcWebTransport({ ...common, httpVersion: "1.1" });
    return createConnectTransport({ ...common, httpVersion: "1.1" });
  };
  return {
    server,
    url: server.url,
    transport,
    client(service, as, protocol = "grpc") {
      const auth: Interceptor[] = as
        ? [
            (next) => async (req) => {
              req.header.set("authorization", `Bearer ${await mintTestToken(as.subject, as.role)}`);
              return next(req);
            },
          ]
        : [];
      return createClient(service, transport(protocol, auth));
    },
    stop: () => server.stop(),
  };
}
