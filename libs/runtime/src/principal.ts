import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import { DomainError } from "./domain-error.js";

export const ROLES = ["user", "operator", "service"] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as proven by their token. */
export interface Principal {
  /** The token's `sub`: a user id, or a service's name for the `service` role. */
  readonly subject: string;
  readonly role: Role;
}

/** Where the auth interceptor leaves the verified caller for handlers. */
export const principalKey = createContextKey<Principal | undefined>(undefined, {
  description: "the authenticated caller",
});

/** The verified caller; handlers behind the auth interceptor always have one. */
export function principalOf(ctx: HandlerContext): Principal {
  const principal = ctx.values.get(principalKey);
  if (principal === undefined) {
    throw new Error("no principal in context: is the auth interceptor installed?");
  }
  return principal;
}

/** Refuses the call unless the caller holds one of the roles. */
export function requireRole(ctx: HandlerContext, ...roles: Role[]): Principal {
  const principal = principalOf(ctx);
  if (!roles.includes(principal.role)) {
    throw new DomainError("permission_denied", `this call needs the ${roles.join(" or ")} role`);
  }
  return principal;
}
