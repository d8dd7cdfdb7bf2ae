import { randomUUID } from "node:crypto";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { isDatabaseUnavailable } from "@paymesh/db";
import type { Logger } from "pino";
import { DomainError } from "./domain-error.js";
import { toConnectError } from "./to-connect-error.js";

export interface ErrorInterceptorOptions {
  logger: Logger;
}

/**
 * The one place where failures become wire errors: domain errors keep their message, metadata
 * and typed details and get their code; a database that is away (restarting, failing over, out
 * of reach: see isDatabaseUnavailable) becomes a transient UNAVAILABLE, so callers send the same
 * request again shortly; anything unexpected becomes INTERNAL with only a correlation id, while
 * the detail (stack, SQL) goes to the log under that id.
 */
export function createErrorInterceptor(options: ErrorInterceptorOptions): Interceptor {
  const convert = (error: unknown, procedure: string): ConnectError => {
    if (error instanceof ConnectError) return error;
    if (error instanceof DomainError) return toConnectError(error);
    if (isDatabaseUnavailable(error)) {
      // Expected while the database restarts, and not this call's fault: a warning, not an error.
      options.logger.warn({ err: error, procedure }, "database unavailable");
      return toConnectError(new DomainError("unavailable", "the database cannot be reached just now; retry the same request shortly"));
    }
    const ref = randomUUID();
    options.logger.error({ err: error, ref, procedure }, "unexpected error in handler");
    return new ConnectError(`internal error (ref ${ref})`, Code.Internal);
  };
  return (next) => async (req) => {
    const res = await next(req).catch((error: unknown) => {
      throw convert(error, req.url);
    });
    if (!res.stream) return res;
    return { ...res, message: convertStream(res.message, (error) => convert(error, req.url)) };
  };
}

async function* convertStream<T>(messages: AsyncIterable<T>, convert: (error: unknown) => ConnectError): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (error) {
    throw convert(error);
  }
}
