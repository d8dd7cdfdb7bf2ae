import { DomainError } from "@paymesh/runtime";
import { type AccountState, balance, violation } from "./account-state.js";
import { entryDifference } from "./entry-difference.js";
import type { Command, CommandResult, EntryInput, JournalEvent, Posting, StoredEntry, StoredLine } from "./journal-types.js";

export interface BatchInput {
  /** Every account the batch's commands touch, locked by the caller. */
  accounts: Map<string, AccountState>;
  /** Stored entries among the ids the commands name, locked by the caller. */
  entries: Map<string, StoredEntry>;
  /** Commands in groups: one group per call; linked chains never cross a group. */
  groups: Command[][];
  now: Date;
}

export interface BatchOutcome {
  /** Per group, per command, in order. */
  results: CommandResult[][];
  newEntries: StoredEntry[];
  /** Stored entries whose status changed (posted, voided or expired pending entries). */
  resolvedEntries: StoredEntry[];
  postings: Posting[];
  changedAccounts: Set<string>;
  events: JournalEvent[];
}

/**
 * Applies a batch of journal commands to in-memory account state, in order, all in exact
 * integer arithmetic. Pure: the caller loads and locks the rows before and writes the
 * outcome after, inside one transaction. A command that fails leaves no trace; a linked
 * chain that fails anywhere leaves no trace of any of its entries.
 */
export function applyBatch(input: BatchInput): BatchOutcome {
  const { accounts, entries, now } = input;
  const out: BatchOutcome = { results: [], newEntries: [], resolvedEntries: [], postings: [], changedAccounts: new Set(), events: [] };
  const undo: Array<() => void> = [];
  /** The call whose commands are being applied; tags the events they cause. */
  let group = 0;

  const mutate = (account: AccountState) => {
    const before = { ...account };
    undo.push(() => Object.assign(account, before));
    out.changedAccounts.add(account.id);
  };
  const mark = () => ({
    undo: undo.length,
    newEntries: out.newEntries.length,
    resolved: out.resolvedEntries.length,
    postings: out.postings.length,
    events: out.events.length,
  });
  const rollback = (to: ReturnType<typeof mark>) => {
    while (undo.length > to.undo) undo.pop()!();
    out.newEntries.length = to.newEntries;
    out.resolvedEntries.length = to.resolved;
    out.postings.length = to.postings;
    out.events.length = to.events;
  };

  const post = (account: AccountState, line: { amount: bigint; side: "debit" | "credit" }, entryId: string, lineIndex: number) => {
    mutate(account);
    if (line.side === "debit") account.debitsPosted += line.amount;
    else account.creditsPosted += line.amount;
    account.sequence += 1n;
    const posting: Posting = {
      accountId: account.id,
      sequence: account.sequence,
      entryId,
      lineIndex,
      amount: line.amount,
      side: line.side,
      debitsAfter: account.debitsPosted,
      creditsAfter: account.creditsPosted,
      balanceAfter: balance(account),
      postedAt: now,
      currency: account.currency,
    };
    out.postings.push(posting);
    return posting;
  };
  const reserve = (account: AccountState, line: { amount: bigint; side: "debit" | "credit" }, sign: 1n | -1n) => {
    mutate(account);
    if (line.side === "debit") account.debitsPending += sign * line.amount;
    else account.creditsPending += sign * line.amount;
  };
  const check = (touched: Iterable<AccountState>) => {
    for (const account of new Set(touched)) {
      const problem = violation(account);
      if (problem !== undefined) throw new DomainError("failed_precondition", problem);
    }
  };
  const accountOf = (id: string) => {
    const account = accounts.get(id);
    if (account === undefined) throw new DomainError("not_found", `account ${id} not found`);
    return account;
  };
  const resolve = (entry: StoredEntry, changes: Partial<StoredEntry>) => {
    const before = { ...entry };
    undo.push(() => Object.assign(entry, before));
    Object.assign(entry, changes, { resolvedAt: now });
    out.resolvedEntries.push(entry);
  };

  const postEntry = (input: EntryInput): StoredEntry => {
    const stored = entries.get(input.id);
    if (stored !== undefined) {
      const field = entryDifference(stored, input);
      if (field !== undefined) {
        throw new DomainError("already_exists", `entry_id ${input.id} was already used for a different entry: ${field} differs`);
      }
      return stored;
    }
    const lines: StoredLine[] = input.lines.map((line) => {
      const account = accountOf(line.accountId);
      if (account.status !== "active") throw new DomainError("failed_precondition", `account ${account.id} is closed`);
      return { ...line, currency: account.currency };
    });
    assertBalanced(lines);
    const entry: StoredEntry = {
      id: input.id,
      lines,
      memo: input.memo,
      metadata: input.metadata,
      pending: input.pending,
      pendingTimeoutSeconds: input.pendingTimeoutSeconds,
      status: input.pending ? "pending" : "posted",
      expiresAt: input.pending ? new Date(now.getTime() + input.pendingTimeoutSeconds * 1000) : null,
      postedAmounts: null,
      createdAt: now,
      resolvedAt: null,
    };
    const touched = lines.map((line) => accountOf(line.accountId));
    const postings: ReturnType<typeof post>[] = [];
    lines.forEach((line, i) => {
      if (input.pending) reserve(touched[i]!, line, 1n);
      else postings.push(post(touched[i]!, line, entry.id, i));
    });
    check(touched);
    entries.set(entry.id, entry);
    undo.push(() => entries.delete(entry.id));
    out.newEntries.push(entry);
    out.events.push({ group, kind: "entry_posted", entry, postings });
    return entry;
  };

  const pendingEntry = (entryId: string): StoredEntry => {
    const entry = entries.get(entryId);
    if (entry === undefined || !entry.pending) throw new DomainError("not_found", `pending entry ${entryId} not found`);
    return entry;
  };

  const postPending = (entryId: string, amount: bigint): StoredEntry => {
    const entry = pendingEntry(entryId);
    const full = entry.lines.map((line) => line.amount);
    if (amount !== 0n && entry.lines.length !== 2) {
      throw new DomainError("failed_precondition", "a partial amount can only be posted for a two-line entry; post 0 for the full amount");
    }
    const amounts = amount === 0n ? full : full.map(() => amount);
    if (entry.status === "posted") {
      if (amounts.every((value, i) => value === entry.postedAmounts?.[i])) return entry;
      throw new DomainError("failed_precondition", `entry ${entryId} was already posted with a different amount`);
    }
    if (entry.status !== "pending") throw new DomainError("failed_precondition", `entry ${entryId} is ${entry.status}, not pending`);
    if (entry.expiresAt !== null && entry.expiresAt <= now)
      throw new DomainError("failed_precondition", `pending entry ${entryId} has expired`);
    if (amounts.some((value, i) => value > full[i]!)) {
      throw new DomainError("invalid_argument", `amount ${amount} exceeds the reserved ${full[0]}`);
    }
    const touched = entry.lines.map((line) => accountOf(line.accountId));
    entry.lines.forEach((line, i) => {
      reserve(touched[i]!, line, -1n);
    });
    const postings = entry.lines.map((line, i) => post(touched[i]!, { side: line.side, amount: amounts[i]! }, entry.id, i));
    check(touched);
    resolve(entry, { status: "posted", postedAmounts: amounts });
    out.events.push({ group, kind: "pending_posted", entry, postings });
    return entry;
  };

  const release = (entryId: string, status: "voided" | "expired"): StoredEntry => {
    const entry = pendingEntry(entryId);
    if (entry.status === status) return entry;
    if (entry.status !== "pending") throw new DomainError("failed_precondition", `entry ${entryId} is ${entry.status}, not pending`);
    if (status === "expired" && (entry.expiresAt === null || entry.expiresAt > now)) {
      throw new DomainError("failed_precondition", `entry ${entryId} has not reached its timeout`);
    }
    const touched = entry.lines.map((line) => accountOf(line.accountId));
    entry.lines.forEach((line, i) => {
      reserve(touched[i]!, line, -1n);
    });
    check(touched);
    resolve(entry, { status });
    out.events.push({ group, kind: status === "voided" ? "pending_voided" : "pending_expired", entry });
    return entry;
  };

  const run = (command: Command): StoredEntry => {
    switch (command.kind) {
      case "post":
        return postEntry(command.entry);
      case "post_pending":
        return postPending(command.entryId, command.amount);
      case "void_pending":
        return release(command.entryId, "voided");
      case "expire":
        return release(command.entryId, "expired");
    }
  };

  for (const [index, commands] of input.groups.entries()) {
    group = index;
    const results: CommandResult[] = [];
    out.results.push(results);
    let i = 0;
    while (i < commands.length) {
      const chain = [commands[i]!];
      while (isLinked(chain[chain.length - 1]!) && i + chain.length < commands.length) chain.push(commands[i + chain.length]!);
      i += chain.length;
      if (isLinked(chain[chain.length - 1]!)) {
        const error = new DomainError("invalid_argument", "linked chain is not closed: the last entry of a batch must not be linked");
        for (const _ of chain) results.push({ ok: false, error });
        continue;
      }
      const start = mark();
      const chainResults: CommandResult[] = [];
      let failed: { index: number; error: DomainError } | undefined;
      for (const [index, command] of chain.entries()) {
        const before = mark();
        try {
          chainResults.push({ ok: true, entry: run(command) });
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          rollback(before);
          if (chain.length === 1) {
            chainResults.push({ ok: false, error });
          } else {
            failed = { index, error };
            break;
          }
        }
      }
      if (failed !== undefined) {
        rollback(start);
        const { index, error } = failed;
        chain.forEach((_, k) => {
          results.push({
            ok: false,
            error:
              k === index
                ? error
                : new DomainError("failed_precondition", `linked entry ${describe(chain[index]!)} failed: ${error.message}`),
          });
        });
      } else {
        results.push(...chainResults);
      }
    }
  }
  return out;
}

function isLinked(command: Command): boolean {
  return command.kind === "post" && command.entry.linked;
}

function describe(command: Command): string {
  return command.kind === "post" ? command.entry.id : command.entryId;
}

function assertBalanced(lines: StoredLine[]): void {
  const totals = new Map<string, { debits: bigint; credits: bigint }>();
  for (const line of lines) {
    const total = totals.get(line.currency) ?? { debits: 0n, credits: 0n };
    if (line.side === "debit") total.debits += line.amount;
    else total.credits += line.amount;
    totals.set(line.currency, total);
  }
  for (const [currency, { debits, credits }] of totals) {
    if (debits !== credits) {
      throw new DomainError("invalid_argument", `entry does not balance in ${currency}: debits ${debits}, credits ${credits}`);
    }
  }
}
