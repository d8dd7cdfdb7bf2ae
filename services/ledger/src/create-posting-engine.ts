import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Context, context } from "@opentelemetry/api";
import { pgErrorCode } from "@paymesh/db";
import { appendEventsWithSql, type OutgoingEvent } from "@paymesh/events";
import { PostingErrorReason } from "@paymesh/gen/paymesh/ledger/v1/errors_pb";
import {
  EntryPostedSchema,
  PendingExpiredSchema,
  PendingPostedSchema,
  PendingVoidedSchema,
} from "@paymesh/gen/paymesh/ledger/v1/events_pb";
import type { Logger } from "pino";
import type { Sql } from "postgres";
import { Counter, Registry } from "prom-client";
import { applyBatch } from "./apply-batch.js";
import { entryIdOf } from "./entry-id-of.js";
import {
  insertEntries,
  insertPostings,
  lockAccounts,
  lockEntries,
  lockedNow,
  updateAccountTotals,
  updateResolvedEntries,
} from "./journal-store.js";
import type { Command, CommandResult, JournalEvent } from "./journal-types.js";
import { postingRefusal } from "./posting-refusal.js";
import { toEntry, toPostedLine } from "./to-proto.js";

export interface PostingEngineOptions {
  /** The ledger's postgres.js client: the engine's statements are prepared, one round trip each. */
  sql: Sql;
  /** Maps an event name (e.g. `entry_posted`) to its subject. */
  subject: (event: string) => string;
  logger: Logger;
  /** Where `ledger_entries_created_total` is counted. Default: a registry of its own (tests). */
  registry?: Registry;
  /**
   * Most commands one transaction takes. Default 2,000: two full PostEntries calls, large
   * enough that a hot account's lock is taken once for thousands of entries, small enough
   * that one transaction stays in the tens of milliseconds.
   */
  maxBatchCommands?: number;
  /**
   * Transactions in flight at once. Default 2: while one commits (waiting on the WAL
   * flush) the next is already locking and computing; more only adds lock waits.
   */
  maxInFlight?: number;
}

export interface PostingEngine {
  /**
   * Applies the commands as one group (linked chains stay within it); one result per command.
   * If `signal` (the caller's deadline) has fired before the group's transaction starts, the
   * group is dropped unapplied: a caller that gave up must be able to trust that a later
   * retry or recovery, not this stale request, decides the outcome.
   */
  submit(commands: Command[], signal?: AbortSignal): Promise<CommandResult[]>;
  /** Waits for queued and in-flight work to finish. */
  drain(): Promise<void>;
}

interface Pending {
  commands: Command[];
  context: Context;
  signal: AbortSignal | undefined;
  resolve(results: CommandResult[]): void;
  reject(error: unknown): void;
}

/** SQLSTATEs after which the whole batch can simply be tried again. */
const RETRYABLE = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected (defence in depth: lock order should prevent it)
  "23505", // unique_violation: another instance inserted the same new entry id first
]);
const MAX_ATTEMPTS = 5;

/**
 * Group commit: concurrent calls queue here and are applied together in shared
 * transactions, so N concurrent posts cost one lock per account and one commit instead of
 * N. Every caller still gets its own result, and nothing is acknowledged before commit.
 */
export function createPostingEngine(options: PostingEngineOptions): PostingEngine {
  const created = new Counter({
    name: "ledger_entries_created_total",
    help: "Journal entries this instance's transactions created (replays of an existing id not counted), by status at creation: posted or pending.",
    labelNames: ["status"],
    registers: [options.registry ?? new Registry()],
  });
  const maxBatch = options.maxBatchCommands ?? 2_000;
  const maxInFlight = options.maxInFlight ?? 2;
  const queue: Pending[] = [];
  let inFlight = 0;
  let idle: Array<() => void> = [];

  const pump = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch: Pending[] = [];
      let size = 0;
      while (queue.length > 0 && (batch.length === 0 || size + queue[0]!.commands.length <= maxBatch)) {
        const next = queue.shift()!;
        size += next.commands.length;
        batch.push(next);
      }
      inFlight++;
      void run(batch).finally(() => {
        inFlight--;
        if (inFlight === 0 && queue.length === 0) {
          for (const wake of idle) wake();
          idle = [];
        }
        pump();
      });
    }
  };

  const run = async (all: Pending[]) => {
    for (let attempt = 1; ; attempt++) {
      const batch = dropExpired(all);
      if (batch.length === 0) return;
      try {
        const { results, newEntries } = await transact(batch);
        for (const entry of newEntries) created.inc({ status: entry.status });
        batch.forEach((pending, i) => {
          pending.resolve(results[i]!);
        });
        return;
      } catch (error) {
        const code = pgErrorCode(error);
        if (attempt < MAX_ATTEMPTS && code !== undefined && RETRYABLE.has(code)) {
          options.logger.debug({ code, attempt }, "posting batch conflicted; retrying");
          continue;
        }
        for (const pending of batch) pending.reject(error);
        return;
      }
    }
  };

  const dropExpired = (batch: Pending[]) =>
    batch.filter((pending) => {
      if (!pending.signal?.aborted) return true;
      pending.reject(
        postingRefusal("deadline_exceeded", "the call's deadline passed before the entry was applied; nothing was posted", {
          reason: PostingErrorReason.DEADLINE_PASSED,
          // A dropped batch call is about all its entries, not one.
          entryId: pending.commands.length === 1 ? entryIdOf(pending.commands[0]!) : "",
        }),
      );
      return false;
    });

  const transact = (batch: Pending[]) =>
    options.sql.begin(async (tx) => {
      const commands = batch.flatMap((pending) => pending.commands);
      const entryIds = new Set<string>();
      for (const command of commands) entryIds.add(entryIdOf(command));
      const stored = await lockEntries(tx, [...entryIds].sort());
      const accountIds = new Set<string>();
      for (const command of commands) {
        const lines = command.kind === "post" ? command.entry.lines : (stored.get(command.entryId)?.lines ?? []);
        for (const line of lines) accountIds.add(line.accountId);
      }
      const accounts = await lockAccounts(tx, [...accountIds].sort());
      const now = await lockedNow(tx);
      const outcome = applyBatch({ accounts, entries: stored, groups: batch.map((pending) => pending.commands), now });
      await insertEntries(tx, outcome.newEntries);
      await updateResolvedEntries(tx, outcome.resolvedEntries);
      await insertPostings(tx, outcome.postings);
      await updateAccountTotals(
        tx,
        [...outcome.changedAccounts].map((id) => accounts.get(id)!),
      );
      await appendEventsWithSql(
        tx,
        outcome.events.map((event) => ({ ...toEvent(event, options.subject), traceContext: batch[event.group]!.context })),
      );
      return outcome;
    });

  return {
    submit(commands, signal) {
      return new Promise((resolve, reject) => {
        queue.push({ commands, context: context.active(), signal, resolve, reject });
        pump();
      });
    },
    drain() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}

function toEvent(event: JournalEvent, subject: (event: string) => string): OutgoingEvent {
  const entry = toEntry(event.entry);
  switch (event.kind) {
    case "entry_posted":
      return {
        subject: subject("entry_posted"),
        schema: EntryPostedSchema,
        message: create(EntryPostedSchema, {
          entry,
          posted: event.postings.map(toPostedLine),
          currencies: event.entry.lines.map((line) => line.currency),
        }),
      };
    case "pending_posted":
      return {
        subject: subject("pending_posted"),
        schema: PendingPostedSchema,
        message: create(PendingPostedSchema, {
          entry,
          posted: event.postings.map(toPostedLine),
          postTime: timestampFromDate(event.entry.resolvedAt!),
        }),
      };
    case "pending_voided":
      return { subject: subject("pending_voided"), schema: PendingVoidedSchema, message: create(PendingVoidedSchema, { entry }) };
    case "pending_expired":
      return { subject: subject("pending_expired"), schema: PendingExpiredSchema, message: create(PendingExpiredSchema, { entry }) };
  }
}
