/**
 * Names nobody may register, because a payer could take them for the platform or its staff.
 * Compared by skeleton, as handles are with each other (handleSkeleton), so `@pay.mesh`,
 * `@ad_min` and `@adm1n` are refused too; and anything whose skeleton starts with `paymesh` is
 * the platform's.
 */
const RESERVED_NAMES = [
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
];

/** handleSkeleton's expression, step for step, on a handle without its `@`. */
const skeletonOf = (core: string): string =>
  core.replace(/[_.-]/g, "").replace(/0/g, "o").replace(/[1i]/g, "l").replaceAll("rn", "m").replaceAll("vv", "w");

const RESERVED_SKELETONS: ReadonlySet<string> = new Set(RESERVED_NAMES.map(skeletonOf));
const PLATFORM = skeletonOf("paymesh");

/** Whether a normalised handle (`@admin`) is reserved. */
export function isReservedHandle(handle: string): boolean {
  const skeleton = skeletonOf(handle.replace(/^@/, ""));
  return RESERVED_SKELETONS.has(skeleton) || skeleton.startsWith(PLATFORM);
}
