import { and, eq, sql } from "drizzle-orm";
import type { Keyring } from "./create-keyring.js";
import type { Resolution } from "./create-resolution-cache.js";
import { openHandleRow } from "./handle-record.js";
import type { HandlesDatabase } from "./handles-database.js";
import { maskDisplayName } from "./mask-display-name.js";
import { handles } from "./schema.js";

/** The Postgres tier of resolution: an active handle's resolution, or undefined. One prepared statement. */
export function createResolutionLoader(db: HandlesDatabase, keyring: Keyring): (handle: string) => Promise<Resolution | undefined> {
  const query = db
    .select()
    .from(handles)
    .where(and(eq(handles.handle, sql.placeholder("handle")), eq(handles.status, "active")))
    .prepare("handles_resolve");
  return async (handle) => {
    const [row] = await query.execute({ handle });
    if (row === undefined) return undefined;
    const record = openHandleRow(keyring, row);
    return {
      handle: record.handle,
      accountId: record.accountId,
      maskedDisplayName: maskDisplayName(record.displayName),
      network: record.network,
      verified: record.verified,
      owner: record.owner,
    };
  };
}
