import { errors, jwtVerify } from "jose";
import { LRUCache } from "lru-cache";
import { type Principal, ROLES, type Role } from "./principal.js";

/** The only algorithm accepted: pinning it defeats `alg: none` and key-confusion tricks. */
export const TOKEN_ALGORITHM = "HS256";

export interface TokenVerifierOptions {
  secret: string;
  issuer: string;
  audience: string;
  /**
   * Longest lifetime accepted, whatever `exp` says, in seconds. Default 3600: a leaked
   * token stays useful for at most an hour even if it was minted with a far `exp`.
   */
  maxTokenAgeSeconds?: number;
  /** Allowed clock difference with the issuer, in seconds. Default 5. */
  clockToleranceSeconds?: number;
  /**
   * Verified tokens remembered, so a client's repeated calls skip the signature check.
   * Default 10,000. Entries never outlive the token's own expiry.
   */
  cacheSize?: number;
}

/** Why a token was refused, phrased for the caller; never includes the token. */
export class TokenError extends Error {
  override readonly name = "TokenError";
}

export type TokenVerifier = (token: string) => Promise<Principal>;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const key = new TextEncoder().encode(options.secret);
  const maxTokenAge = options.maxTokenAgeSeconds ?? 3600;
  // Verifying an HMAC through WebCrypto costs more than a whole cached RPC; a token is
  // immutable, so its verdict holds until it expires (or ages out), whichever is first.
  const verified = new LRUCache<string, Principal>({ max: options.cacheSize ?? 10_000 });
  return async (token) => {
    const cached = verified.get(token);
    if (cached !== undefined) return cached;
    const { principal, validUntilMs } = await verify(token);
    const ttl = validUntilMs - Date.now();
    if (ttl > 0) verified.set(token, principal, { ttl });
    return principal;
  };

  async function verify(token: string): Promise<{ principal: Principal; validUntilMs: number }> {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [TOKEN_ALGORITHM],
      issuer: options.issuer,
      audience: options.audience,
      maxTokenAge,
      requiredClaims: ["exp", "iat", "sub"],
      clockTolerance: options.clockToleranceSeconds ?? 5,
    }).catch((error: unknown) => {
      throw new TokenError(describe(error));
    });
    const role = payload.role ?? "user";
    if (typeof role !== "string" || !ROLES.includes(role as Role)) {
      throw new TokenError(`token role must be one of ${ROLES.join(", ")}`);
    }
    if (typeof payload.sub !== "string" || payload.sub === "") {
      throw new TokenError("token has no subject");
    }
    // requiredClaims guarantees both are present.
    const validUntilMs = Math.min(payload.exp!, payload.iat! + maxTokenAge) * 1000;
    return { principal: { subject: payload.sub, role: role as Role }, validUntilMs };
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "token expired";
  if (error instanceof errors.JOSEAlgNotAllowed) return `token algorithm not accepted (expected ${TOKEN_ALGORITHM})`;
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim "${error.claim}" rejected: ${error.reason}`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "token signature invalid";
  return "token malformed";
}
