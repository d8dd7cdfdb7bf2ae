import type { Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import { codeName } from "./create-metrics.js";

export interface RequestLogInterceptorOptions {
  logger: Logger;
}

/**
 * One line per RPC: method, final code and duration (the logger adds the trace and span ids: the
 * interceptor runs inside the RPC's span). Headers are never
 * logged, so bearer tokens cannot leak here. Raise LOG_LEVEL to `warn` to silence it.
 */
export function createRequestLogInterceptor(options: RequestLogInterceptorOptions): Interceptor {
  const { logger } = options;
  return (next) => async (req) => {
    const start = process.hrtime.bigint();
    const fields = () => ({
      method: `${req.service.typeName}/${req.method.name}`,
      durationMs: Number(process.hrtime.bigint() - start) / 1e6,
    });
    try {
      const res = await next(req);
      if (logger.isLevelEnabled("info")) logger.info({ ...fields(), code: "ok" }, "rpc");
      return res;
    } catch (error) {
      logger.info({ ...fields(), code: codeName(error) }, "rpc failed");
      throw error;
    }
  };
}
