import { SignJWT } from "jose";
import { TOKEN_ALGORITHM } from "./create-token-verifier.js";
import type { Role } from "./principal.js";

export interface SignTokenOptions {
  secret: string;
  issuer: string;
  audience: string;
  subject: string;
  role: Role;
  /** Lifetime in seconds. Default 900: short, so a leaked token soon stops working. */
  expiresInSeconds?: number;
}

/** Mints a token the mesh accepts: used by `npm run token`, service clients and tests. */
export async function signToken(options: SignTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: options.role })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: "JWT" })
    .setSubject(options.subject)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 900))
    .sign(new TextEncoder().encode(options.secret));
}
