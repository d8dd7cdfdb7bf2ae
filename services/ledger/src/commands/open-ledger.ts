import { databaseUrl, openDatabase } from "@paymesh/db";
import { loadConfig, SERVICE_PORTS } from "@paymesh/runtime";
import * as schema from "../schema.js";

/** The ledger's database as the running service sees it, for operator commands. */
export async function openLedger() {
  const config = loadConfig({ service: "ledger", defaultPort: SERVICE_PORTS.ledger });
  const database = await openDatabase({ url: databaseUrl(config.postgresUrl, config.databaseName), schema, max: 2 });
  return { config, database };
}

/** The innermost cause's message: Postgres's own words, not the query that carried them. */
export function rootMessage(error: unknown): string {
  let e = error;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
}
