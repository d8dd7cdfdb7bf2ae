import { PostingErrorReason } from "@paymesh/gen/paymesh/ledger/v1/errors_pb";
import { DomainError } from "@paymesh/runtime";
import { type AccountState, balance, violation } from "./account-state.js";
import { entryDifference } from "./entry-difference.js";
import { entryIdOf } from "./entry-id-of.js";
import type { Command, CommandResult, EntryInput, JournalEvent, Posting, StoredEntry, StoredLine } from "./journal-types.js";
import { postingErrorOf, postingRefusal } from "./posting-refusal.js";

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
 * chain that fails anywhere leaves no trace of any of its entries. Every refusal carries a
 * PostingError detail naming its reason and the entry and accounts it concerns.
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
  const check = (touched: Iterable<AccountState>, entryId: string) => {
    for (const account of new Set(touched)) {
      const problem = violation(account);
      if (problem !== undefined) {
        throw postingRefusal("failed_precondition", problem.message, {
          reason: problem.reason,
          entryId,
          accountIds: [account.id],
          currency: account.currency,
        });
      }
    }
  };
  const accountOf = (id: string, entryId: string) => {
    const account = accounts.get(id);
    if (account === undefined) {
      throw postingRefusal("not_found", `account ${id} not found`, {
        reason: PostingErrorReason.ACCOUNT_NOT_FOUND,
        entryId,
        accountIds: [id],
      });
    }
    return account;
  };
  const notPending = (entry: StoredEntry) =>
    postingRefusal("failed_precondition", `entry ${entry.id} is ${entry.status}, not pending`, {
      reason: entry.status === "expired" ? PostingErrorReason.PENDING_ENTRY_EXPIRED : PostingErrorReason.PENDING_ENTRY_NOT_PENDING,
      entryId: entry.id,
    });
  const resolve = (entry: StoredEntry, changes: Partial<StoredEntry>) => {
    const before = { ...entry };
    undo.push(() => Object.assign(entry, before));
    Object.assign(entry, changes, { resolvedAt: now });
    out.resolvedEntries.push(entry);
  };

  const postEntry = (input: EntryInput): StoredEntry => {
    const stored = entries.get(input.id);
    if (stored !== undefined) {
      const difference = entryDifference(stored, input);
      if (difference !== undefined) {
        const { field, values } = difference;
        throw postingRefusal(
          "already_exists",
          `entry_id ${input.id} was already used for a different entry: ${field}${values === undefined ? "" : ` (${values})`} differs`,
          { reason: PostingErrorReason.ENTRY_ID_REUSED, entryId: input.id, field },
        );
      }
      return stored;
    }
    const lines: StoredLine[] = input.lines.map((line) => {
      const account = accountOf(line.accountId, input.id);
      if (account.status !== "active") {
        throw postingRefusal("failed_precondition", `account ${account.id} is closed`, {
          reason: PostingErrorReason.ACCOUNT_CLOSED,
          entryId: input.id,
          accountIds: [account.id],
          currency: account.currency,
        });
      }
      return { ...line, currency: account.currency };
    });
    assertBalanced(input.id, lines);
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
    const touched = lines.map((line) => accountOf(line.accountId, entry.id));
    const postings: ReturnType<typeof post>[] = [];
    lines.forEach((line, i) => {
      if (input.pending) reserve(touched[i]!, line, 1n);
      else postings.push(post(touched[i]!, line, entry.id, i));
    });
    check(touched, entry.id);
    entries.set(entry.id, entry);
    undo.push(() => entries.delete(entry.id));
    out.newEntries.push(entry);
    out.events.push({ group, kind: "entry_posted", entry, postings });
    return entry;
  };

  const pendingEntry = (entryId: string): StoredEntry => {
    const entry = entries.get(entryId);
    if (entry === undefined || !entry.pending) {
      throw postingRefusal("not_found", `pending entry ${entryId} not found`, {
        reason: PostingErrorReason.PENDING_ENTRY_NOT_FOUND,
        entryId,
      });
    }
    return entry;
  };

  const postPending = (entryId: string, amount: bigint): StoredEntry => {
    const entry = pendingEntry(entryId);
    const full = entry.lines.map((line) => line.amount);
    if (amount !== 0n && entry.lines.length !== 2) {
      throw postingRefusal("failed_precondition", "a partial amount can only be posted for a two-line entry; post 0 for the full amount", {
        reason: PostingErrorReason.PARTIAL_AMOUNT_NOT_ALLOWED,
        entryId,
      });
    }
    const amounts = amount === 0n ? full : full.map(() => amount);
    if (entry.status === "posted") {
      if (amounts.every((value, i) => value === entry.postedAmounts?.[i])) return entry;
      throw postingRefusal("failed_precondition", `entry ${entryId} was already posted with a different amount`, {
        reason: PostingErrorReason.POSTED_WITH_OTHER_AMOUNT,
        entryId,
      });
    }
    if (entry.status !== "pending") throw notPending(entry);
    if (entry.expiresAt !== null && entry.expiresAt <= now) {
      throw postingRefusal("failed_precondition", `pending entry ${entryId} has expired`, {
        reason: PostingErrorReason.PENDING_ENTRY_EXPIRED,
        entryId,
      });
    }
    if (amounts.some((value, i) => value > full[i]!)) {
      throw postingRefusal("invalid_argument", `amount ${amount} exceeds the reserved ${full[0]}`, {
        reason: PostingErrorReason.PARTIAL_AMOUNT_EXCEEDS_RESERVED,
        entryId,
      });
    }
    const touched = entry.lines.map((line) => accountOf(line.accountId, entryId));
    entry.lines.forEach((line, i) => {
      reserve(touched[i]!, line, -1n);
    });
    const postings = entry.lines.map((line, i) => post(touched[i]!, { side: line.side, amount: amounts[i]! }, entry.id, i));
    check(touched, entryId);
    resolve(entry, { status: "posted", postedAmounts: amounts });
    out.events.push({ group, kind: "pending_posted", entry, postings });
    return entry;
  };

  const release = (entryId: string, status: "voided" | "expired"): StoredEntry => {
    const entry = pendingEntry(entryId);
    if (entry.status === status) return entry;
    if (entry.status !== "pending") throw notPending(entry);
    if (status === "expired" && (entry.expiresAt === null || entry.expiresAt > now)) {
      throw postingRefusal("failed_precondition", `entry ${entryId} has not reached its timeout`, {
        reason: PostingErrorReason.PENDING_ENTRY_NOT_TIMED_OUT,
        entryId,
      });
    }
    const touched = entry.lines.map((line) => accountOf(line.accountId, entryId));
    entry.lines.forEach((line, i) => {
      reserve(touched[i]!, line, -1n);
    });
    check(touched, entryId);
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
        for (const command of chain) {
          results.push({
            ok: false,
            error: postingRefusal("invalid_argument", "linked chain is not closed: the last entry of a batch must not be linked", {
              reason: PostingErrorReason.LINKED_CHAIN_OPEN,
              entryId: entryIdOf(command),
            }),
          });
        }
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
        chain.forEach((command, k) => {
          results.push({
            ok: false,
            error:
              k === index
                ? error
                : postingRefusal("failed_precondition", `linked entry ${entryIdOf(chain[index]!)} failed: ${error.message}`, {
                    reason: PostingErrorReason.LINKED_ENTRY_FAILED,
                    entryId: entryIdOf(command),
                    linkedError: postingErrorOf(error),
                  }),
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

function assertBalanced(entryId: string, lines: StoredLine[]): void {
  const totals = new Map<string, { debits: bigint; credits: bigint }>();
  for (const line of lines) {
    const total = totals.get(line.currency) ?? { debits: 0n, credits: 0n };
    if (line.side === "debit") total.debits += line.amount;
    else total.credits += line.amount;
    totals.set(line.currency, total);
  }
  for (const [currency, { debits, credits }] of totals) {
    if (debits !== credits) {
      throw postingRefusal("invalid_argument", `entry does not balance in ${currency}: debits ${debits}, credits ${credits}`, {
        reason: PostingErrorReason.ENTRY_UNBALANCED,
        entryId,
        accountIds: [...new Set(lines.filter((line) => line.currency === currency).map((line) => line.accountId))],
        currency,
      });
    }
  }
}
