import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/**
 * Client side: failures that prove the server never processed the call become UNAVAILABLE, the
 * code that says "send the same request again". connect-node reports them as codes that say
 * otherwise, and a caller that believes them may give up on a payment that never happened, or
 * pay again under a new key for one that did:
 * - the server refused the HTTP/2 stream (REFUSED_STREAM, also how streams a GOAWAY left out
 *   end): HTTP/2 promises it was not processed (RFC 9113, 8.7). connect-node says INTERNAL.
 * - the connection failed while being set up (a reset or refused connect, as when the server
 *   stopped listening with ours still queued): nothing was sent. connect-node says ABORTED for a
 *   reset.
 * A call the caller itself cancelled, or whose deadline passed, keeps its own code.
 */
export function createUnprocessedCallInterceptor(): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (error) {
      const failure = ConnectError.from(error);
      if (req.signal.aborted || failure.code === Code.Unavailable || !neverProcessed(failure)) throw error;
      throw new ConnectError(
        `${failure.rawMessage} (the call was not processed; send it again)`,
        Code.Unavailable,
        failure.metadata,
        [],
        failure,
      );
    }
  };
}

function neverProcessed(failure: ConnectError): boolean {
  for (let cause: unknown = failure.cause; cause instanceof Error; cause = cause.cause) {
    const { code, syscall } = cause as NodeJS.ErrnoException;
    if (code === "ERR_HTTP2_STREAM_ERROR" && cause.message.includes("NGHTTP2_REFUSED_STREAM")) return true;
    if (syscall === "connect") return true;
  }
  return false;
}
