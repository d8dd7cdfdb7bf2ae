// The governance log's key, pinned in this browser the first time a vote verifies with it, as a
// Certificate Transparency monitor pins its log's key: a log that later signs with another key
// could be showing this person a different history, so it is not trusted silently.
const KEY = "paymesh.governance.log-key-id";

export function readPinnedLogKey(): string | undefined {
  return localStorage.getItem(KEY) ?? undefined;
}

export function pinLogKey(keyId: string): void {
  if (localStorage.getItem(KEY) === null) localStorage.setItem(KEY, keyId);
}
