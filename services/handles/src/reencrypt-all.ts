import { and, asc, eq, gt, ne } from "drizzle-orm";
import type { Keyring } from "./create-keyring.js";
import { openHandleRow, sealPersonalData } from "./handle-record.js";
import type { HandlesDatabase } from "./handles-database.js";
import { handles } from "./schema.js";

export interface ReencryptOptions {
  db: HandlesDatabase;
  keyring: Keyring;
  /** Rows per transaction. Default 500. */
  batchSize?: number;
}

export interface ReencryptResult {
  /** Rows moved to the current key. */
  reencrypted: number;
  /** Rows that could not be opened (their key is no longer in the ring), left as they were. */
  failed: Array<{ handle: string; error: string }>;
}

/**
 * Re-seals every row not under the keyring's current key, in handle order, a batch per
 * transaction with the rows locked, so it can run beside live instances (and be run again:
 * rows already under the current key are skipped). The blind index is recomputed too.
 */
export async function reencryptAll({ db, keyring, batchSize = 500 }: ReencryptOptions): Promise<ReencryptResult> {
  const result: ReencryptResult = { reencrypted: 0, failed: [] };
  let after = "";
  for (;;) {
    const claimed = await db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(handles)
        .where(and(ne(handles.keyId, keyring.currentKeyId), gt(handles.handle, after)))
        .orderBy(asc(handles.handle))
        .limit(batchSize)
        .for("update");
      for (const row of rows) {
        let sealed: ReturnType<typeof sealPersonalData>;
        try {
          const record = openHandleRow(keyring, row);
          sealed = sealPersonalData(keyring, row.handle, record.accountId, record.owner);
        } catch (error) {
          result.failed.push({ handle: row.handle, error: error instanceof Error ? error.message : String(error) });
          continue;
        }
        await tx.update(handles).set(sealed).where(eq(handles.handle, row.handle));
        result.reencrypted += 1;
      }
      return rows;
    });
    if (claimed.length === 0) return result;
    after = claimed[claimed.length - 1]!.handle;
  }
}
