import { assertDatabaseName } from "./assert-database-name.js";

/**
 * Returns `serverUrl` pointing at database `name` instead, keeping credentials, host, port and
 * query parameters, so one server URL in configuration serves every service's own database.
 */
export function databaseUrl(serverUrl: string, name: string): string {
  assertDatabaseName(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
