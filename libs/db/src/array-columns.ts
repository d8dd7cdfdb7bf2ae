import { type SQL, sql } from "drizzle-orm";

/**
 * Parameters for writing many rows in one statement as `unnest(col1::type[], col2::type[], …)`:
 * `column(pick)` is one array parameter holding a column's value for every row. A handful of
 * parameters however many rows, where a VALUES list takes one per column per row, and building
 * those dominated the time of large group statements.
 *
 * Dates and timestamps go as ISO text cast twice (`::text[]::timestamptz[]`): drizzle's
 * postgres.js driver passes values of those array types through unserialised.
 */
export function arrayColumns<R>(rows: readonly R[]): <T>(pick: (row: R) => T) => SQL {
  return (pick) => sql`${sql.param(rows.map(pick))}`;
}
