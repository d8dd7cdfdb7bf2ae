/**
 * Who is signed in. Kept in sessionStorage (one tab, gone when it closes), never in a URL or
 * a cookie: the token only ever travels in the Authorization header of calls to the services.
 */
export interface Session {
  token: string;
  subject: string;
  name: string;
  role: "user" | "operator";
  /** ISO time the token stops being accepted. */
  expiresAt: string;
}

const KEY = "paymesh.session";

export function readSession(): Session | undefined {
  const raw = sessionStorage.getItem(KEY);
  if (raw === null) return undefined;
  const session = JSON.parse(raw) as Session;
  if (Date.parse(session.expiresAt) <= Date.now()) {
    sessionStorage.removeItem(KEY);
    return undefined;
  }
  return session;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

/** Development sign-in: the console server signs a token for a demo person. */
export async function signInAs(subject: string): Promise<Session> {
  const response = await fetch("/dev/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ subject }),
  });
  const body = (await response.json()) as Session & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `sign-in failed (${response.status})`);
  return body;
}

/** Production sign-in: a token from the identity provider, read (not verified) for its claims. */
export function sessionFromToken(token: string): Session {
  const parts = token.trim().split(".");
  if (parts.length !== 3) throw new Error("that is not a JWT: it should be three parts separated by dots");
  const claims = JSON.parse(atob(parts[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as {
    sub?: string;
    role?: string;
    exp?: number;
  };
  if (typeof claims.sub !== "string" || typeof claims.exp !== "number") throw new Error("the token has no subject or expiry");
  if (claims.exp * 1_000 <= Date.now()) throw new Error("the token has expired; get a new one");
  return {
    token: token.trim(),
    subject: claims.sub,
    name: claims.sub,
    role: claims.role === "operator" ? "operator" : "user",
    expiresAt: new Date(claims.exp * 1_000).toISOString(),
  };
}
