import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/**
 * The skeleton of a stored handle (`@b0b.` → `bob`): what is left of it to a person reading it
 * quickly, so that two handles with one skeleton are one handle to a payer. Without the `@`, the
 * separators `_`, `.` and `-` are dropped (wherever they are: leading, trailing, doubled or in
 * between), `0` reads as `o`, `1` and `i` as `l`, and then `rn` as `m` and `vv` as `w`.
 *
 * In SQL, because the database computes it for every row (a generated column, so no row can hold
 * a stale one) and a unique index keeps it to one active handle; the same expression gives the
 * skeleton of a requested handle.
 */
export function handleSkeleton(handle: SQLWrapper): SQL {
  return sql`replace(replace(translate(substr(${handle}::text, 2), '01i_.-', 'oll'), 'rn', 'm'), 'vv', 'w')`;
}
