/**
 * Names nobody may register, because a payer could take them for the platform or its staff.
 * Compared after dropping the separators `_`, `.` and `-`, so `@pay.mesh` and `@ad_min` are
 * refused too; and anything starting with `paymesh` is the platform's.
 */
const RESERVED_HANDLES: ReadonlySet<string> = new Set([
  "abuse",
  "admin",
  "administrator",
  "api",
  "billing",
  "compliance",
  "fraud",
  "help",
  "helpdesk",
  "info",
  "legal",
  "moderator",
  "noreply",
  "official",
  "operator",
  "payments",
  "paymesh",
  "postmaster",
  "root",
  "security",
  "service",
  "staff",
  "support",
  "system",
  "team",
  "verified",
  "webmaster",
]);

/** Whether a normalised handle (`@admin`) is reserved. */
export function isReservedHandle(handle: string): boolean {
  const core = handle.replace(/^@/, "").replace(/[_.-]/g, "");
  return RESERVED_HANDLES.has(core) || core.startsWith("paymesh");
}
