import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { ConnectionTimeouts } from "./connection-timeouts.js";
import { HTTP2_SETTINGS } from "./http2-settings.js";

type Handler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => void;

export interface CleartextServer {
  readonly listener: net.Server;
  readonly h2: http2.Http2Server;
  readonly h1: http.Server;
}

/** Every HTTP/2 connection opens with this preface; no HTTP/1.x request line starts like it. */
const H2_PREFACE_START = Buffer.from("PRI ");

/**
 * Node's cleartext HTTP/2 server cannot also speak HTTP/1.1 (`allowHTTP1` only works
 * with TLS, where ALPN chooses). So one TCP listener peeks at each connection's first
 * bytes and hands it to an HTTP/2 server (prior knowledge: gRPC, grpcurl -plaintext) or
 * an HTTP/1.1 server (browsers, curl, load balancers' probes).
 *
 * Neither server accepts its connections itself, so the timeouts need care: a connection is
 * closed if its first bytes do not come within `headersMs`, and the HTTP/1.1 server is made to
 * track the connections handed to it (see below), or it would never apply its headers and
 * request timeouts, nor close idle connections on shutdown.
 */
export function createCleartextServer(handler: Handler, timeouts: ConnectionTimeouts): CleartextServer {
  const h2 = http2.createServer({ settings: HTTP2_SETTINGS }, handler);
  const h1 = http.createServer(
    {
      keepAliveTimeout: timeouts.keepAliveMs,
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // How often Node looks for requests past those timeouts (30 s by default): a quarter of the
      // headers timeout, so a stalled request is cut at most 25% late.
      connectionsCheckingInterval: Math.ceil(timeouts.headersMs / 4),
    },
    handler,
  );
  // http.Server creates its list of connections, which its headers and request timeouts and
  // closeIdleConnections() walk, and starts the timer that checks them, on "listening" (see
  // setupConnectionsTracking in Node's lib/_http_server.js). This one never listens: the sniffer
  // hands it sockets through "connection", so it is told here that it serves.
  h1.emit("listening");
  // No Nagle: RPC responses are small writes that must not wait for the peer's ACK.
  const listener = net.createServer({ noDelay: true }, (socket) => {
    const silent = () => socket.destroy();
    socket.setTimeout(timeouts.headersMs);
    socket.once("timeout", silent);
    socket.once("data", (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.off("timeout", silent);
      socket.pause();
      socket.unshift(chunk);
      if (chunk.subarray(0, H2_PREFACE_START.length).equals(H2_PREFACE_START)) {
        // The HTTP/2 session drains the unshifted bytes itself and then reads the socket
        // natively; resuming the JS stream here would steal its data.
        h2.emit("connection", socket);
      } else {
        h1.emit("connection", socket);
        socket.resume();
      }
    });
    socket.on("error", () => socket.destroy());
  });
  listener.on("close", () => h1.close());
  return { listener, h2, h1 };
}
