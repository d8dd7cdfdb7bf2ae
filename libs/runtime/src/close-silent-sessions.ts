import type http2 from "node:http2";

/**
 * Closes the HTTP/2 connections of `server` that go silent for `idleMs` (see
 * ConnectionTimeouts.idleMs): at once when no call is open on them, and when calls are open only
 * if the peer does not answer a PING within another `idleMs`.
 */
export function closeSilentSessions(server: http2.Http2Server | http2.Http2SecureServer, idleMs: number): void {
  server.on("session", (session: http2.ServerHttp2Session) => {
    let openStreams = 0;
    session.on("stream", (stream: http2.ServerHttp2Stream) => {
      openStreams++;
      stream.once("close", () => openStreams--);
    });
    // Node refreshes this timer on every frame sent or received, on any stream of the session.
    session.setTimeout(idleMs);
    session.on("timeout", () => {
      if (openStreams === 0) {
        session.close();
        return;
      }
      const gone = setTimeout(() => session.destroy(), idleMs).unref();
      session.ping((error) => {
        clearTimeout(gone);
        if (error) {
          session.destroy();
          return;
        }
        // The timer fired and a PING's answer does not rearm it: watch the next period too.
        session.setTimeout(idleMs);
      });
    });
  });
}
