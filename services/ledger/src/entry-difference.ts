import type { EntryInput, StoredEntry } from "./journal-types.js";

/**
 * The first field where a repeated entry_id's request differs from what was stored, named
 * as in the API (e.g. `lines[1].amount`), or undefined when it is the same request.
 * `linked` is batch framing, not content, so it is not compared.
 */
export function entryDifference(stored: StoredEntry, input: EntryInput): string | undefined {
  if (stored.lines.length !== input.lines.length) return `lines (had ${stored.lines.length}, now ${input.lines.length})`;
  for (const [i, line] of input.lines.entries()) {
    const was = stored.lines[i]!;
    if (was.accountId !== line.accountId) return `lines[${i}].account_id`;
    if (was.amount !== line.amount) return `lines[${i}].amount (had ${was.amount}, now ${line.amount})`;
    if (was.side !== line.side) return `lines[${i}].side`;
  }
  if (stored.memo !== input.memo) return "memo";
  if (!sameRecord(stored.metadata, input.metadata)) return "metadata";
  if (stored.pending !== input.pending) return "pending";
  if (stored.pendingTimeoutSeconds !== input.pendingTimeoutSeconds) return "pending_timeout_seconds";
  return undefined;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
