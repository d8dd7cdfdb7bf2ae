/**
 * How long a connection may take, or sit unused, before the server closes it. Without them a
 * client that connects and says nothing, sends its headers a byte at a time, or leaves an HTTP/2
 * connection open and silent holds a socket (and its memory) forever.
 */
export interface ConnectionTimeouts {
  /**
   * A new connection's first bytes, and each HTTP/1.1 request's headers, must arrive within
   * this. Default 10 s: headers are one packet for every real client, even on a slow network.
   */
  readonly headersMs: number;
  /**
   * Each HTTP/1.1 request must arrive whole (headers and body) within this; at least
   * `headersMs`. Default 60 s: a full-size batch over a poor link, not a trickled upload.
   */
  readonly requestMs: number;
  /** An HTTP/1.1 connection waiting for its next request is closed after this. Default 5 s, Node's own. */
  readonly keepAliveMs: number;
  /**
   * An HTTP/2 connection on which no frame moved either way for this long is silent. With no
   * call open it is closed (GOAWAY: its client connects again for its next call); with calls open
   * its peer is pinged, and closed only if it does not answer within another such period. So a
   * stream that sends messages or heartbeats more often than this is never cut, and a quiet one
   * (a health Watch between changes) is kept while its peer is alive. Default 5 min: well above
   * any heartbeat, and above the 4 min after which our service clients drop an idle connection
   * themselves, so that they, not the server, close it and no new call races a GOAWAY.
   */
  readonly idleMs: number;
}

export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = {
  headersMs: 10_000,
  requestMs: 60_000,
  keepAliveMs: 5_000,
  idleMs: 300_000,
};
