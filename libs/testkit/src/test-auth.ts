import { DEVELOPMENT_AUTH_SECRET, type Role, signToken } from "@paymesh/runtime";

/** The signing settings every in-process test server uses. */
export const TEST_AUTH = { secret: DEVELOPMENT_AUTH_SECRET, issuer: "paymesh", audience: "paymesh" } as const;

/** A valid token for the test servers. */
export function mintTestToken(subject: string, role: Role = "user", expiresInSeconds = 300): Promise<string> {
  return signToken({ ...TEST_AUTH, subject, role, expiresInSeconds });
}
