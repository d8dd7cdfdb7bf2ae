import type { EntryInput, StoredEntry } from "./journal-types.js";

/** How a repeated entry_id's request differs from the stored entry. */
export interface EntryDifference {
  /** The first field that differs, named as in the API, e.g. `lines[1].amount`. */
  field: string;
  /** The stored and the new value, where showing them helps, e.g. `had 5, now 6`. */
  values?: string;
}

/**
 * The first difference between a repeated entry_id's request and what was stored, or
 * undefined when it is the same request. `linked` is batch framing, not content, so it is not
 * compared.
 */
export function entryDifference(stored: StoredEntry, input: EntryInput): EntryDifference | undefined {
  if (stored.lines.length !== input.lines.length) {
    return { field: "lines", values: `had ${stored.lines.length}, now ${input.lines.length}` };
  }
  for (const [i, line] of input.lines.entries()) {
    const was = stored.lines[i]!;
    if (was.accountId !== line.accountId) return { field: `lines[${i}].account_id` };
    if (was.amount !== line.amount) return { field: `lines[${i}].amount`, values: `had ${was.amount}, now ${line.amount}` };
    if (was.side !== line.side) return { field: `lines[${i}].side` };
  }
  if (stored.memo !== input.memo) return { field: "memo" };
  if (!sameRecord(stored.metadata, input.metadata)) return { field: "metadata" };
  if (stored.pending !== input.pending) return { field: "pending" };
  if (stored.pendingTimeoutSeconds !== input.pendingTimeoutSeconds) return { field: "pending_timeout_seconds" };
  return undefined;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
