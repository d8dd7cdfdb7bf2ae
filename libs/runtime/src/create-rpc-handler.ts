import type { IncomingMessage, ServerResponse } from "node:http";
import type http2 from "node:http2";
import {
  Code,
  ConnectError,
  type ConnectRouterOptions,
  createConnectRouter,
  createContextValues,
  type Interceptor,
} from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerRequest } from "@connectrpc/connect/protocol";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import type { Logger } from "pino";
import { OPEN_SERVICES } from "./open-services.js";
import { type Principal, principalKey, type Role } from "./principal.js";
import { routeService } from "./route-service.js";
import type { ServiceRegistration } from "./service-registration.js";

type NodeRequest = IncomingMessage | http2.Http2ServerRequest;
type NodeResponse = ServerResponse | http2.Http2ServerResponse;

export interface RpcHandlerOptions {
  services: readonly ServiceRegistration[];
  interceptors: Interceptor[];
  shutdownSignal: AbortSignal;
  /** The largest request message, in bytes after decompression, of a method that declares no limit of its own. */
  readMaxBytes: number;
  /** The caller proven by an Authorization header, or UNAUTHENTICATED (see authenticate). */
  authenticate(header: string | null): Promise<Principal>;
  /**
   * Asked, as each call to a service (not health or reflection) arrives, whether to take it: an
   * error refuses it unread, the way a failed authentication does (UNAVAILABLE while the server
   * shuts down: the call was not processed).
   */
  admit(): ConnectError | undefined;
  /** Told of each call refused before its body was read, which no interceptor sees. */
  onRefused(procedure: string, error: ConnectError, startedAt: bigint): void;
  /**
   * Told as each unary call arrives, before anything of it is read; what it returns is called
   * once the call's answer is written or its stream is gone. Streams are not told: they last
   * until the shutdown signal ends them.
   */
  startUnary(): () => void;
  logger: Logger;
}

/** Where a request path leads: the method's handler, and for some callers one with a larger limit. */
interface Route {
  readonly procedure: string;
  readonly open: boolean;
  readonly unary: boolean;
  readonly handler: UniversalHandler;
  readonly large?: { readonly handler: UniversalHandler; readonly roles: ReadonlySet<Role> | undefined };
}

/**
 * The Connect, gRPC and gRPC-Web handler of a server, like connect-node's connectNodeAdapter with
 * a gate in front. Connect reads and decompresses a unary request's body before any interceptor
 * runs, so an auth interceptor alone lets an anonymous caller make the server inflate a body of
 * its choosing. The gate checks the bearer token first, from the headers (every service but
 * OPEN_SERVICES), and a refused call is answered with its error in the caller's protocol without
 * a byte of its body read. Every request is read with a limit: the method's own (see
 * ServiceRegistration.readLimits) if the caller may use it, else `readMaxBytes`; connect
 * refuses a larger message, or one that inflates past it, with RESOURCE_EXHAUSTED.
 */
export function createRpcHandler(options: RpcHandlerOptions): (req: NodeRequest, res: NodeResponse) => void {
  const routes = routesOf(options);
  const serve = async (route: Route, req: NodeRequest, res: NodeResponse, startedAt: bigint, refusal: ConnectError | undefined) => {
    let uReq: UniversalServerRequest = universalRequestFromNodeRequest(req, res, undefined, createContextValues());
    let { handler } = route;
    if (!route.open) {
      const caller =
        refusal ?? (await options.authenticate(req.headers.authorization ?? null).catch((error: unknown) => ConnectError.from(error)));
      if (caller instanceof ConnectError) {
        // Without its length, connect asks the body for the message, which answers with the
        // refusal: an anonymous caller is told who it is not before how large its request is.
        const header = new Headers(uReq.header);
        header.delete("content-length");
        uReq = { ...uReq, header, body: refusedBody(() => options.onRefused(route.procedure, caller, startedAt), caller) };
      } else {
        uReq.contextValues?.set(principalKey, caller);
        if (route.large && (route.large.roles?.has(caller.role) ?? true)) handler = route.large.handler;
      }
    }
    const uRes = await handler(uReq);
    // A request refused before its body was all read. An HTTP/1.1 connection is closed after the
    // answer: cheaper than reading the rest (a client may send gigabytes) to reach the next
    // request. An HTTP/2 stream is drained once the answer is complete (Node's compatibility
    // response always ends with trailers), its data dropped as it comes, so it ends when the
    // client stops sending: ending it with RST_STREAM there can overtake the trailers, and left
    // unread it would stay open with the client blocked by flow control.
    if (req.httpVersionMajor === 1 && !req.complete) res.setHeader("connection", "close");
    if ("stream" in req) {
      const { stream } = req;
      stream.once("wantTrailers", () => {
        if (stream.readableEnded) return;
        // Node's compatibility request feeds on the stream and pauses it whenever it takes no
        // more, which it never does again once connect, giving up on the body, destroyed it.
        stream.removeAllListeners("data");
        stream.resume();
      });
    }
    await universalResponseToNodeResponse(uRes, res);
  };
  return (req, res) => {
    const startedAt = process.hrtime.bigint();
    const route = routes.get(req.url?.split("?", 2)[0] ?? "");
    if (route === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    if (route.unary) res.once("close", options.startUnary());
    serve(route, req, res, startedAt, route.open ? undefined : options.admit()).catch((error: unknown) => {
      // The caller hung up or reset the stream: there is nobody left to answer.
      if (ConnectError.from(error).code === Code.Aborted) return;
      options.logger.warn({ err: error, procedure: route.procedure }, "could not answer an RPC");
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

function routesOf(options: RpcHandlerOptions): Map<string, Route> {
  const common: ConnectRouterOptions = {
    interceptors: options.interceptors,
    shutdownSignal: options.shutdownSignal,
    // What connectNodeAdapter accepts by default; the router alone accepts no compression.
    acceptCompression: [compressionGzip, compressionBrotli],
  };
  const router = createConnectRouter({ ...common, readMaxBytes: options.readMaxBytes });
  for (const { service, impl } of options.services) routeService(router, service, impl);
  const open = new Set(OPEN_SERVICES);
  const routes = new Map<string, Route>();
  for (const handler of router.handlers) {
    routes.set(handler.requestPath, {
      procedure: `${handler.service.typeName}/${handler.method.name}`,
      open: open.has(handler.service.typeName),
      unary: handler.method.methodKind === "unary",
      handler,
    });
  }
  for (const { service, impl, readLimits = {} } of options.services) {
    for (const [name, limit] of Object.entries(readLimits)) {
      const method = service.methods.find((m) => m.name === name);
      if (method === undefined || impl[method.localName] === undefined) {
        throw new Error(`${service.typeName} declares a read limit for ${name}, a method it does not implement`);
      }
      const largeRouter = createConnectRouter({ ...common, readMaxBytes: limit.maxBytes });
      routeService(largeRouter, service, impl);
      const large = largeRouter.handlers.find((handler) => handler.method === method)!;
      const route = routes.get(large.requestPath)!;
      routes.set(large.requestPath, { ...route, large: { handler: large, roles: limit.roles && new Set(limit.roles) } });
    }
  }
  return routes;
}

/** A request body that, instead of being read, fails with `error` (and says, once, that it was asked for). */
function refusedBody(onRead: () => void, error: ConnectError): AsyncIterable<Uint8Array> {
  let told = false;
  return {
    [Symbol.asyncIterator]: () => ({
      next() {
        if (!told) onRead();
        told = true;
        return Promise.reject(error);
      },
    }),
  };
}
