import http from "node:http";
import http2 from "node:http2";
import net from "node:net";

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
 */
export function createCleartextServer(handler: Handler): CleartextServer {
  const h2 = http2.createServer({}, handler);
  const h1 = http.createServer({ keepAliveTimeout: 5_000 }, handler);
  // No Nagle: RPC responses are small writes that must not wait for the peer's ACK.
  const listener = net.createServer({ noDelay: true }, (socket) => {
    socket.once("data", (chunk: Buffer) => {
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
  return { listener, h2, h1 };
}
