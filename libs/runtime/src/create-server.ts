import { setMaxListeners } from "node:events";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import http2 from "node:http2";
import type net from "node:net";
import type { AddressInfo } from "node:net";
import { Code, ConnectError, cors, type Interceptor } from "@connectrpc/connect";
import { createValidateInterceptor } from "@connectrpc/validate";
import { Health } from "@paymesh/gen/grpc/health/v1/health_pb";
import type { Logger } from "pino";
import { authenticate } from "./authenticate.js";
import { closeSilentSessions } from "./close-silent-sessions.js";
import { type ConnectionTimeouts, DEFAULT_CONNECTION_TIMEOUTS } from "./connection-timeouts.js";
import { createAuthInterceptor } from "./create-auth-interceptor.js";
import { createCleartextServer } from "./create-cleartext-server.js";
import { createErrorInterceptor } from "./create-error-interceptor.js";
import { createHealth, type HealthState, ServingStatus } from "./create-health.js";
import { codeName, type Metrics } from "./create-metrics.js";
import { createReflection } from "./create-reflection.js";
import { createRequestLogInterceptor } from "./create-request-log-interceptor.js";
import { createRpcHandler } from "./create-rpc-handler.js";
import type { TokenVerifier } from "./create-token-verifier.js";
import { createServerTracingInterceptor } from "./create-tracing-interceptor.js";
import { DEFAULT_READ_MAX_BYTES } from "./default-read-max-bytes.js";
import { HTTP2_SETTINGS } from "./http2-settings.js";
import type { ServiceRegistration } from "./service-registration.js";
import { withDeadline } from "./with-deadline.js";

/** A named readiness probe: resolves when the dependency answers, rejects otherwise. */
export type ReadinessCheck = () => Promise<void>;

export interface ServerOptions {
  /** Name used in logs and metrics. */
  name: string;
  services: readonly ServiceRegistration[];
  logger: Logger;
  verifyToken: TokenVerifier;
  metrics: Metrics;
  /** Default `127.0.0.1`: nothing is exposed beyond the machine unless asked. */
  host?: string;
  /** Default 0: an ephemeral port, which tests want. */
  port?: number;
  /** PEM files; when both are set the port speaks TLS (h2 and HTTP/1.1 by ALPN). */
  tls?: { certFile: string; keyFile: string } | undefined;
  /** Origins browsers may call from. Default none. */
  corsOrigins?: readonly string[];
  /** Probes behind `GET /readyz` of what every call needs (e.g. postgres): one failing is 503. Default none. */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Probes of what the service serves without (e.g. NATS, whose events wait in the outbox, and
   * Redis, which has a fallback on every path): one failing is reported, and `/readyz` stays 200
   * as "degraded", so that an orchestrator does not take every instance out of service at once
   * for an outage that its calls ride out. Default none.
   */
  degradedWithout?: Record<string, ReadinessCheck>;
  /** How long `stop()` lets in-flight calls finish. Default 10 s, inside Kubernetes' 30 s grace. */
  shutdownGraceMs?: number;
  /** Interceptors run after auth and validation, closest to the handlers. */
  interceptors?: Interceptor[];
  /**
   * The largest request message, in bytes after decompression, of a method that declares no
   * limit of its own (ServiceRegistration.readLimits). Default DEFAULT_READ_MAX_BYTES.
   */
  readMaxBytes?: number;
  /** When idle or slow connections are closed. Default DEFAULT_CONNECTION_TIMEOUTS, each one. */
  timeouts?: Partial<ConnectionTimeouts>;
}

export interface Server {
  /** Where the server listens, e.g. `http://127.0.0.1:7101`. Valid after `start()`. */
  readonly url: string;
  readonly port: number;
  readonly health: HealthState;
  start(): Promise<void>;
  /** Health to NOT_SERVING, refuse new calls, drain in-flight ones up to the grace, close. */
  stop(): Promise<void>;
}

const READINESS_TIMEOUT_MS = 2_000;

/**
 * How long stop() waits, once it cut what was still running, for the last answers to be written:
 * a millisecond or two normally, but under load a fixed 50 ms was seen to cut answers off.
 */
const FINAL_STATUS_MS = 1_000;

/** The answer to a call that arrives once stop() has begun: it was not processed, so it is safe to send again. */
const SHUTTING_DOWN = new ConnectError("server is shutting down; the call was not processed, send it again", Code.Unavailable);

/**
 * One port serving Connect, gRPC and gRPC-Web to HTTP/2 (TLS or cleartext with prior
 * knowledge, what `grpcurl -plaintext` speaks) and HTTP/1.1 (what browsers speak),
 * with health, reflection, readiness, metrics and CORS beside the services.
 */
export function createServer(options: ServerOptions): Server {
  const { logger } = options;
  const health = createHealth(options.services.map((s) => s.service.typeName));
  const reflection = createReflection([...options.services.map((s) => s.service), Health]);
  const shutdown = new AbortController();
  // Every in-flight call links its own signal to this one (and unlinks when it ends), so more
  // than ten concurrent calls are normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  const corsOrigins = new Set(options.corsOrigins ?? []);
  const graceMs = options.shutdownGraceMs ?? 10_000;
  let stopping = false;
  let inFlight = 0;
  // Woken whenever a unary call ends or an HTTP/2 connection closes, to see whether shutdown can go on.
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const wake of waiters) wake();
  };
  const until = (condition: () => boolean, ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const check = () => condition() && done();
      const timer = setTimeout(done, ms);
      waiters.add(check);
      check();
    });

  const rpcHandler = createRpcHandler({
    services: [
      ...options.services,
      { service: Health, impl: health.service },
      { service: reflection.v1.service, impl: reflection.v1.impl },
      { service: reflection.v1alpha.service, impl: reflection.v1alpha.impl },
    ],
    interceptors: [
      createServerTracingInterceptor(),
      createRequestLogInterceptor({ logger }),
      options.metrics.interceptor,
      createErrorInterceptor({ logger }),
      createAuthInterceptor({ verify: options.verifyToken }),
      createValidateInterceptor(),
      ...(options.interceptors ?? []),
    ],
    shutdownSignal: shutdown.signal,
    readMaxBytes: options.readMaxBytes ?? DEFAULT_READ_MAX_BYTES,
    authenticate: (header) => authenticate(header, options.verifyToken),
    admit: () => (stopping ? SHUTTING_DOWN : undefined),
    // Unary calls are counted from their arrival, before their body is read or their caller
    // authenticated, so a call that is still on its way to its handler when stop() begins is
    // waited for too. Streams (health watches, live feeds) never finish by themselves: the
    // shutdown signal ends them once unary calls have drained.
    startUnary() {
      inFlight++;
      return () => {
        inFlight--;
        changed();
      };
    },
    onRefused(procedure, error, startedAt) {
      options.metrics.record(procedure, codeName(error), startedAt);
      logger.info(
        { method: procedure, code: codeName(error), durationMs: Number(process.hrtime.bigint() - startedAt) / 1e6 },
        "rpc refused",
      );
    },
    logger,
  });

  const serve = async (req: IncomingMessage | http2.Http2ServerRequest, res: ServerResponse | http2.Http2ServerResponse) => {
    const origin = req.headers.origin;
    if (origin !== undefined && corsOrigins.has(origin)) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "Origin");
      res.setHeader("access-control-expose-headers", cors.exposedHeaders.join(", "));
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "access-control-allow-methods": cors.allowedMethods.join(", "),
          "access-control-allow-headers": [...cors.allowedHeaders, "Authorization", "Traceparent", "Tracestate"].join(", "),
          "access-control-max-age": "7200",
        });
        res.end();
        return;
      }
    }
    if (stopping && "shouldKeepAlive" in res) res.setHeader("connection", "close");
    const path = req.url?.split("?")[0];
    if (req.method === "GET" && path === "/healthz") return sendJson(res, 200, { status: "alive" });
    if (req.method === "GET" && path === "/readyz") return sendJson(res, ...(await readiness()));
    if (req.method === "GET" && path === "/metrics") {
      const body = await options.metrics.registry.metrics();
      res.writeHead(200, { "content-type": options.metrics.registry.contentType });
      res.end(body);
      return;
    }
    rpcHandler(req, res);
  };

  // Node calls the handler without awaiting it, so a failure here (a metrics collector whose
  // database is away) would be an unhandled rejection, which ends the process.
  const handle = (req: IncomingMessage | http2.Http2ServerRequest, res: ServerResponse | http2.Http2ServerResponse) => {
    serve(req, res).catch((error: unknown) => {
      logger.error({ err: error, path: req.url }, "unexpected error serving a request");
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };

  const probe = async ([name, check]: [string, ReadinessCheck]) => {
    try {
      await withDeadline(check(), READINESS_TIMEOUT_MS, `readiness check ${name}`);
      return [name, "ok"] as const;
    } catch (error) {
      logger.warn({ check: name, err: error }, "readiness check failed");
      return [name, "unreachable"] as const;
    }
  };
  const readiness = async (): Promise<[number, unknown]> => {
    if (stopping) return [503, { status: "stopping" }];
    const [required, optional] = await Promise.all([
      Promise.all(Object.entries(options.readiness ?? {}).map(probe)),
      Promise.all(Object.entries(options.degradedWithout ?? {}).map(probe)),
    ]);
    const up = ([, result]: readonly [string, string]) => result === "ok";
    const checks = Object.fromEntries([...required, ...optional]);
    if (!required.every(up)) return [503, { status: "not ready", checks }];
    return [200, { status: optional.every(up) ? "ready" : "degraded", checks }];
  };

  // TLS lets ALPN pick h2 or HTTP/1.1; cleartext needs a listener that sniffs the preface.
  const timeouts = { ...DEFAULT_CONNECTION_TIMEOUTS, ...options.timeouts };
  const cleartext = options.tls ? undefined : createCleartextServer(handle, timeouts);
  const listener: net.Server = options.tls ? createTlsServer(options.tls, timeouts, handle) : cleartext!.listener;
  const h2 = cleartext?.h2 ?? (listener as http2.Http2SecureServer);
  closeSilentSessions(h2, timeouts.idleMs);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  listener.on(options.tls ? "secureConnection" : "connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  h2.on("session", (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    session.on("close", () => {
      sessions.delete(session);
      changed();
    });
  });

  let port = 0;
  const scheme = options.tls ? "https" : "http";
  const host = options.host ?? "127.0.0.1";
  return {
    get url() {
      const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
      return `${scheme}://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
    },
    get port() {
      return port;
    },
    health,
    async start() {
      await new Promise<void>((resolve, reject) => {
        listener.once("error", reject);
        listener.listen(options.port ?? 0, host, () => {
          listener.off("error", reject);
          resolve();
        });
      });
      port = (listener.address() as AddressInfo).port;
      health.setAll(ServingStatus.SERVING);
      logger.info({ url: this.url }, "listening");
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      health.setAll(ServingStatus.NOT_SERVING);
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      // GOAWAY now, so that HTTP/2 clients take their next calls elsewhere at once. Node cannot
      // send the "shutdown is coming" GOAWAY (last stream 2^31-1) that would let calls already on
      // the wire through: once any GOAWAY is out, nghttp2 refuses new streams with
      // REFUSED_STREAM, which promises the client they were not processed. Calls that reach a
      // handler from here on, and requests on HTTP/1.1 connections (left open, rather than
      // dropped with a request possibly on its way), are answered UNAVAILABLE (admit) and told
      // to close (connection: close).
      for (const session of sessions) session.close();
      await until(() => inFlight === 0, graceMs);
      if (inFlight > 0) logger.warn({ inFlight }, "shutdown grace elapsed; cutting in-flight calls");
      shutdown.abort(new ConnectError("server is shutting down", Code.Unavailable));
      // Let the calls just cut and the streams just ended write their final status before the
      // sockets go: a call cut without its answer may have done its work, and its client cannot
      // tell. HTTP/2 connections close by themselves once their last stream is done.
      await until(() => inFlight === 0 && sessions.size === 0, FINAL_STATUS_MS);
      for (const socket of sockets) socket.destroy();
      await closed;
      logger.info("stopped");
    },
  };
}

function createTlsServer(
  tls: { certFile: string; keyFile: string },
  timeouts: ConnectionTimeouts,
  handle: (req: IncomingMessage | http2.Http2ServerRequest, res: ServerResponse | http2.Http2ServerResponse) => void,
): http2.Http2SecureServer {
  const server = http2.createSecureServer(
    { allowHTTP1: true, settings: HTTP2_SETTINGS, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
    handle,
  );
  // With allowHTTP1 the secure server is also the HTTP/1.1 server, and Node reads these from it
  // (they are http.Server's; its constructor takes no option for them). A TLS connection that
  // never finishes its handshake is closed by tls.Server's own handshakeTimeout (120 s).
  Object.assign(server, {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    connectionsCheckingInterval: Math.ceil(timeouts.headersMs / 4),
  });
  return server;
}

function sendJson(res: ServerResponse | http2.Http2ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
