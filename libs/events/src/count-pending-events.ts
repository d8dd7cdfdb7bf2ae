import type { Sql } from "postgres";

/** Outbox rows not yet published: a backlog gauge for metrics and readiness. */
export async function countPendingEvents(sql: Sql): Promise<number> {
  const [row] = await sql<{ pending: number }[]>`select count(*)::int as pending from outbox where published_at is null`;
  return row?.pending ?? 0;
}
