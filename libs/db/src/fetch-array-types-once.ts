import type postgres from "postgres";

/**
 * Lets the pool's first connection fetch the server's array types, then turns the fetch off for
 * every connection after it. postgres.js 3.4.9 fetches them on each new connection from a promise
 * nothing awaits (`fetchArrayTypes` in connection.js, started by ReadyForQuery): a server that
 * goes away during that query rejects it unhandled, and an unhandled rejection ends the process.
 * The ledger's restart drill hit exactly that (CONNECTION_CLOSED and ECONNREFUSED rejections of
 * the `pg_type` query) when a restart followed a reconnect. The types belong to the server, not
 * the connection, and the parsers the first fetch registers live in the pool's shared options,
 * so later connections parse arrays all the same.
 */
export async function fetchArrayTypesOnce(sql: postgres.Sql): Promise<void> {
  await sql`select 1`;
  sql.options.fetch_types = false;
}
