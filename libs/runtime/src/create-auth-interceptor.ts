import type { Interceptor } from "@connectrpc/connect";
import { authenticate } from "./authenticate.js";
import type { TokenVerifier } from "./create-token-verifier.js";
import { OPEN_SERVICES } from "./open-services.js";
import { principalKey } from "./principal.js";

export interface AuthInterceptorOptions {
  verify: TokenVerifier;
}

/**
 * Verifies the bearer token on every call but those to OPEN_SERVICES, and hands the caller to
 * handlers. A call the server's request gate already authenticated (before reading its body)
 * arrives with its caller set, and is not verified twice.
 */
export function createAuthInterceptor(options: AuthInterceptorOptions): Interceptor {
  const open = new Set(OPEN_SERVICES);
  return (next) => async (req) => {
    if (open.has(req.service.typeName) || req.contextValues.get(principalKey) !== undefined) return next(req);
    req.contextValues.set(principalKey, await authenticate(req.header.get("authorization"), options.verify));
    return next(req);
  };
}
