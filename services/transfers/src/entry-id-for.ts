import { v5 as uuidv5 } from "uuid";

/** Namespace of transfer entry ids (a fixed random UUID; never change it). */
const TRANSFER_ENTRY_NAMESPACE = "4f0d8e52-4a6b-4f38-9c5e-2b8f3c1d7a90";

/**
 * The ledger entry id of a transfer: a UUIDv5 of its id, so every attempt to post it (the
 * request, a retry, recovery after a crash) uses the same id and the ledger applies it once.
 */
export function entryIdFor(transferId: string): string {
  return uuidv5(transferId.toLowerCase(), TRANSFER_ENTRY_NAMESPACE);
}
