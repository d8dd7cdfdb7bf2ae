import type http2 from "node:http2";
import { Http2SessionManager } from "@connectrpc/connect-node";

export interface Http2SessionManagerOptions {
  /**
   * A connection with no call on it for this long is closed by the client. Default 240 s: below
   * the servers' idle timeout (5 min, ConnectionTimeouts.idleMs), so that the client, not the
   * server, closes a connection nobody uses, and no call races the server's GOAWAY.
   */
  idleConnectionTimeoutMs?: number;
}

/**
 * connect-node's HTTP/2 session manager, made safe against a peer that drains. When a server
 * sends GOAWAY (NO_ERROR) on a connection with no call open (any of our services stopping or
 * closing an idle connection), the manager destroys the connection with an error that Node
 * raises on the session only once its socket has closed. A call made in between sees the
 * connection gone and opens another, and the manager, leaving that state, detaches its error
 * listeners: the deferred error is then an uncaught exception that kills the calling process
 * (connectrpc/connect-es#1768; fix proposed in #1769, unreleased in 2.1.2). Every session this
 * manager hands out keeps a listener of its own for the rest of its life. It changes nothing
 * while the manager listens (its own listener sees every error, as before) and afterwards
 * drops only errors of a connection that is being closed anyway.
 */
export function createHttp2SessionManager(baseUrl: string, options: Http2SessionManagerOptions = {}): Http2SessionManager {
  return new GuardedSessionManager(baseUrl, { idleConnectionTimeoutMs: options.idleConnectionTimeoutMs ?? 240_000 });
}

const guarded = new WeakSet<http2.Http2Session>();
const ignore = () => {};

class GuardedSessionManager extends Http2SessionManager {
  override async request(...args: Parameters<Http2SessionManager["request"]>): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(...args);
    const { session } = stream;
    if (session !== undefined && !guarded.has(session)) {
      guarded.add(session);
      session.on("error", ignore);
    }
    return stream;
  }
}
