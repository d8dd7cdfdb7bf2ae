/** A handle as the directory stores it: lower case with its `@`, e.g. `@Bob` and `bob` are `@bob`. */
export function normalizeHandle(handle: string): string {
  return `@${handle.replace(/^@/, "").toLowerCase()}`;
}
