import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { TokenError, type TokenVerifier } from "./create-token-verifier.js";
import { principalKey } from "./principal.js";

export interface AuthInterceptorOptions {
  verify: TokenVerifier;
  /**
   * Fully-qualified services reachable without a token. Default: gRPC health and
   * reflection, which orchestrators and operators' tools call anonymously.
   */
  openServices?: readonly string[];
}

const OPEN_SERVICES: readonly string[] = [
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
];

/** Verifies the bearer token on every call and hands the caller to handlers. */
export function createAuthInterceptor(options: AuthInterceptorOptions): Interceptor {
  const open = new Set(options.openServices ?? OPEN_SERVICES);
  return (next) => async (req) => {
    if (open.has(req.service.typeName)) return next(req);
    const header = req.header.get("authorization");
    if (header === null) {
      throw new ConnectError("missing bearer token in the authorization header", Code.Unauthenticated);
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) {
      throw new ConnectError('authorization header must be "Bearer <token>"', Code.Unauthenticated);
    }
    try {
      req.contextValues.set(principalKey, await options.verify(match[1]!));
    } catch (error) {
      if (error instanceof TokenError) throw new ConnectError(error.message, Code.Unauthenticated);
      throw error;
    }
    return next(req);
  };
}
