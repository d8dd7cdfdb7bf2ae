import type { Keyring } from "./create-keyring.js";
import type { HandleRow } from "./schema.js";

/** A directory entry with its personal data opened. */
export interface HandleRecord {
  handle: string;
  accountId: string;
  owner: string;
  displayName: string;
  network: string;
  status: "active" | "deactivated";
  verified: boolean;
  createdAt: Date;
  updatedAt: Date;
  deactivatedAt: Date | null;
}

/** The sealed columns of a row: both values under the keyring's current key, bound to the handle. */
export function sealPersonalData(keyring: Keyring, handle: string, accountId: string, owner: string) {
  const account = keyring.seal(accountId, `account_id|${handle}`);
  const sealedOwner = keyring.seal(owner, `owner|${handle}`);
  return {
    keyId: account.keyId,
    accountIdCt: account.sealed,
    ownerCt: sealedOwner.sealed,
    ownerIndex: keyring.blindIndex(owner),
  };
}

/** Opens a stored row (under whichever key it names). */
export function openHandleRow(keyring: Keyring, row: HandleRow): HandleRecord {
  return {
    handle: row.handle,
    accountId: keyring.open(row.keyId, row.accountIdCt, `account_id|${row.handle}`),
    owner: keyring.open(row.keyId, row.ownerCt, `owner|${row.handle}`),
    displayName: row.displayName,
    network: row.network,
    status: row.status,
    verified: row.verified,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deactivatedAt: row.deactivatedAt,
  };
}
