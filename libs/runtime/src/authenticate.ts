import { Code, ConnectError } from "@connectrpc/connect";
import { TokenError, type TokenVerifier } from "./create-token-verifier.js";
import type { Principal } from "./principal.js";

/**
 * The caller proven by an `Authorization: Bearer <token>` header, or UNAUTHENTICATED saying what
 * is wrong with it. The one check behind both the request gate (before a body is read) and the
 * auth interceptor, so both refuse alike.
 */
export async function authenticate(header: string | null, verify: TokenVerifier): Promise<Principal> {
  if (header === null) {
    throw new ConnectError("missing bearer token in the authorization header", Code.Unauthenticated);
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match === null) {
    throw new ConnectError('authorization header must be "Bearer <token>"', Code.Unauthenticated);
  }
  try {
    return await verify(match[1]!);
  } catch (error) {
    if (error instanceof TokenError) throw new ConnectError(error.message, Code.Unauthenticated);
    throw error;
  }
}
