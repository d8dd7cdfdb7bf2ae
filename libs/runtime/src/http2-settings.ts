/**
 * What every server tells its HTTP/2 clients. Node's default lets one connection open 2^32-1
 * streams at once, each holding its request's buffers and a handler, so one client could take a
 * service's memory with a single connection. 1,000 is far above what a well-behaved client keeps
 * open (our own service clients multiplex every call over one connection, at most a few dozen at
 * a time at our target rates; a browser keeps 100); nghttp2 refuses a stream beyond it.
 */
export const HTTP2_SETTINGS: Readonly<{ maxConcurrentStreams: number }> = Object.freeze({ maxConcurrentStreams: 1_000 });
