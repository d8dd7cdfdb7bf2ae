import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { currencyExponent } from "@paymesh/domain";
import { appendEvent } from "@paymesh/events";
import { PostingErrorSchema } from "@paymesh/gen/paymesh/ledger/v1/errors_pb";
import { AccountCreatedSchema } from "@paymesh/gen/paymesh/ledger/v1/events_pb";
import {
  BalancesSchema,
  DriftFindingSchema,
  type LedgerService,
  type PostEntryRequest,
  type ReconcileResponse,
  ReconcileResponseSchema,
  StatementLineSchema,
} from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { DomainError, itemErrorOf, principalOf, readPageRequest, requireRole, toPage } from "@paymesh/runtime";
import { and, asc, desc, eq, gt, gte, inArray, lt, lte } from "drizzle-orm";
import type { Sql } from "postgres";
import { v7 as uuidv7 } from "uuid";
import { readableAccount } from "./account-access.js";
import { balance } from "./account-state.js";
import { countLedger } from "./count-ledger.js";
import type { PostingEngine } from "./create-posting-engine.js";
import { readEntries } from "./journal-store.js";
import type { Command, CommandResult, EntryInput, StoredEntry } from "./journal-types.js";
import type { LedgerDatabase } from "./ledger-database.js";
import { reconcileLedger } from "./reconcile-ledger.js";
import { accounts, postings, statementLines } from "./schema.js";
import { fromSide, toAccount, toBalances, toEntry, toSide } from "./to-proto.js";

export interface LedgerServiceOptions {
  db: LedgerDatabase;
  sql: Sql;
  engine: PostingEngine;
  subject: (event: string) => string;
}

export function createLedgerService({ db, sql, engine, subject }: LedgerServiceOptions): ServiceImpl<typeof LedgerService> {
  const one = async (command: Command, signal: AbortSignal): Promise<StoredEntry> => {
    const [result] = await engine.submit([command], signal);
    if (!result!.ok) throw result!.error;
    return result!.entry;
  };
  // A reconciliation reads the whole journal several times: calls arriving while one runs (a
  // console refreshing, several operators) share it rather than each adding that load.
  let reconciling: Promise<ReconcileResponse> | undefined;
  const reconcile = async (): Promise<ReconcileResponse> => {
    const start = new Date();
    const [findings, size] = await Promise.all([reconcileLedger(db), countLedger(db)]);
    return create(ReconcileResponseSchema, {
      findings: findings.map((drift) => create(DriftFindingSchema, drift)),
      accountsChecked: size.accounts,
      entriesChecked: size.entries,
      startTime: timestampFromDate(start),
      duration: durationFromMs(Date.now() - start.getTime()),
    });
  };

  return {
    async createAccount(req, ctx) {
      const principal = principalOf(ctx);
      const owner = req.owner || (principal.role === "user" ? principal.subject : "");
      if (owner === "") throw new DomainError("invalid_argument", "owner is required");
      if (principal.role === "user" && owner !== principal.subject) {
        throw new DomainError("permission_denied", "you can only open accounts for yourself");
      }
      if (currencyExponent(req.currency) === undefined) {
        throw new DomainError("invalid_argument", `currency ${req.currency} is not an ISO 4217 currency we hold`);
      }
      const flags = {
        debitsMustNotExceedCredits: req.flags?.debitsMustNotExceedCredits ?? false,
        creditsMustNotExceedDebits: req.flags?.creditsMustNotExceedDebits ?? false,
      };
      if (principal.role === "user") {
        // A person's account can never be overdrawn, whatever they ask for.
        if (flags.creditsMustNotExceedDebits) throw new DomainError("permission_denied", "only operators may open debit-normal accounts");
        flags.debitsMustNotExceedCredits = true;
      }
      if (flags.debitsMustNotExceedCredits && flags.creditsMustNotExceedDebits) {
        throw new DomainError("invalid_argument", "an account cannot have both balance flags");
      }
      const values = {
        id: (req.id || uuidv7()).toLowerCase(),
        currency: req.currency,
        owner,
        code: req.code,
        ...flags,
        metadata: req.metadata,
      };
      const row = await db.transaction(async (tx) => {
        const [inserted] = await tx.insert(accounts).values(values).onConflictDoNothing().returning();
        if (inserted === undefined) {
          const [existing] = await tx.select().from(accounts).where(eq(accounts.id, values.id));
          if (principal.role === "user" && existing!.owner !== principal.subject) {
            // Someone else's account: say only what any create of a taken id must say, in the same
            // words whoever holds it and whatever it is (see the README's Roles).
            throw new DomainError(
              "already_exists",
              `account id ${values.id} is already in use; choose another id, or leave id empty for the ledger to choose one`,
            );
          }
          const differs = (["currency", "owner", "code", "debitsMustNotExceedCredits", "creditsMustNotExceedDebits"] as const).find(
            (field) => existing![field] !== values[field],
          );
          if (differs !== undefined || JSON.stringify(existing!.metadata) !== JSON.stringify(values.metadata)) {
            throw new DomainError("already_exists", `account ${values.id} already exists with a different ${differs ?? "metadata"}`);
          }
          return existing!;
        }
        await appendEvent(tx, {
          subject: subject("account_created"),
          schema: AccountCreatedSchema,
          message: create(AccountCreatedSchema, { account: toAccount(inserted) }),
        });
        return inserted;
      });
      return { account: toAccount(row) };
    },

    async getAccount(req, ctx) {
      return { account: toAccount(await readableAccount(db, principalOf(ctx), req.id.toLowerCase())) };
    },

    async listAccounts(req, ctx) {
      const principal = principalOf(ctx);
      if (req.allOwners && principal.role === "user") {
        throw new DomainError("permission_denied", "only operators and services may list every owner's accounts (all_owners)");
      }
      const owner = req.allOwners ? undefined : req.owner || principal.subject;
      if (principal.role === "user" && owner !== principal.subject) {
        throw new DomainError("permission_denied", "you can only list your own accounts");
      }
      // One filter for an owner's list, two for every owner's, so neither's tokens fit the other.
      const filters = owner === undefined ? ["", "all_owners"] : [owner];
      const page = readPageRequest(req, { list: "ledger.ListAccounts", filters, cursor: { id: "uuid" } });
      const rows = await db
        .select()
        .from(accounts)
        .where(and(owner === undefined ? undefined : eq(accounts.owner, owner), page.after ? gt(accounts.id, page.after.id) : undefined))
        .orderBy(asc(accounts.id))
        .limit(page.limit);
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ id: row.id }));
      return { accounts: items.map(toAccount), nextPageToken };
    },

    async postEntry(req, ctx) {
      requireRole(ctx, "service", "operator");
      return { entry: toEntry(await one({ kind: "post", entry: toEntryInput(req) }, ctx.signal)) };
    },

    async postEntries(req, ctx) {
      requireRole(ctx, "service", "operator");
      const results = await engine.submit(
        req.entries.map((entry) => ({ kind: "post" as const, entry: toEntryInput(entry) })),
        ctx.signal,
      );
      return { results: results.map(toEntryResult) };
    },

    async postPending(req, ctx) {
      requireRole(ctx, "service", "operator");
      return { entry: toEntry(await one({ kind: "post_pending", entryId: req.entryId.toLowerCase(), amount: req.amount }, ctx.signal)) };
    },

    async voidPending(req, ctx) {
      requireRole(ctx, "service", "operator");
      return { entry: toEntry(await one({ kind: "void_pending", entryId: req.entryId.toLowerCase() }, ctx.signal)) };
    },

    async getEntry(req, ctx) {
      const principal = principalOf(ctx);
      const id = req.entryId.toLowerCase();
      const entry = (await readEntries(sql, [id])).get(id);
      if (principal.role === "user") {
        const owned = new Set(
          entry === undefined
            ? []
            : (
                await db
                  .select({ id: accounts.id })
                  .from(accounts)
                  .where(
                    and(
                      inArray(
                        accounts.id,
                        entry.lines.map((line) => line.accountId),
                      ),
                      eq(accounts.owner, principal.subject),
                    ),
                  )
              ).map((account) => account.id),
        );
        if (entry === undefined || owned.size === 0) {
          throw new DomainError("permission_denied", `entry ${id} does not touch any of your accounts`);
        }
        const shown = toEntry(entry);
        for (const line of shown.lines) if (!owned.has(line.accountId)) line.accountId = "";
        return { entry: shown };
      }
      if (entry === undefined) throw new DomainError("not_found", `entry ${id} not found`);
      return { entry: toEntry(entry) };
    },

    async listStatement(req, ctx) {
      const account = await readableAccount(db, principalOf(ctx), req.accountId.toLowerCase());
      const range = [req.startTime, req.endTime].map((time) => (time ? `${time.seconds}.${time.nanos}` : ""));
      const page = readPageRequest(req, { list: "ledger.ListStatement", filters: [account.id, ...range], cursor: { sequence: "int64" } });
      const rows = await db
        .select()
        .from(statementLines)
        .where(
          and(
            eq(statementLines.accountId, account.id),
            req.startTime ? gte(statementLines.postedAt, timestampDate(req.startTime)) : undefined,
            req.endTime ? lt(statementLines.postedAt, timestampDate(req.endTime)) : undefined,
            page.after ? gt(statementLines.sequence, page.after.sequence) : undefined,
          ),
        )
        .orderBy(asc(statementLines.sequence))
        .limit(page.limit);
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ sequence: row.sequence }));
      return {
        lines: items.map((row) =>
          create(StatementLineSchema, {
            entryId: row.entryId,
            lineIndex: row.lineIndex,
            amount: row.amount,
            side: toSide(row.side),
            balanceAfter: row.balanceAfter,
            sequence: row.sequence,
            postTime: timestampFromDate(row.postedAt),
            memo: row.memo,
          }),
        ),
        nextPageToken,
      };
    },

    async getBalance(req, ctx) {
      const account = await readableAccount(db, principalOf(ctx), req.accountId.toLowerCase());
      if (req.asOf === undefined) return { balances: toBalances(account), currency: account.currency };
      const [last] = await db
        .select({ debits: postings.debitsAfter, credits: postings.creditsAfter })
        .from(postings)
        .where(and(eq(postings.accountId, account.id), lte(postings.postedAt, timestampDate(req.asOf))))
        .orderBy(desc(postings.sequence))
        .limit(1);
      const totals = { ...account, debitsPosted: last?.debits ?? 0n, creditsPosted: last?.credits ?? 0n };
      const posted = balance(totals);
      return {
        balances: create(BalancesSchema, {
          debitsPosted: totals.debitsPosted,
          creditsPosted: totals.creditsPosted,
          balance: posted,
          available: posted,
        }),
        currency: account.currency,
      };
    },

    async reconcile(_req, ctx) {
      requireRole(ctx, "operator");
      reconciling ??= reconcile().finally(() => {
        reconciling = undefined;
      });
      return reconciling;
    },
  };
}

function toEntryInput(req: PostEntryRequest): EntryInput {
  return {
    id: req.entryId.toLowerCase(),
    lines: req.lines.map((line) => ({ accountId: line.accountId.toLowerCase(), amount: line.amount, side: fromSide(line.side) })),
    memo: req.memo,
    metadata: req.metadata,
    pending: req.pending,
    pendingTimeoutSeconds: req.pendingTimeoutSeconds,
    linked: req.linked,
  };
}

function toEntryResult(result: CommandResult) {
  if (result.ok) return { result: { case: "entry" as const, value: toEntry(result.entry) } };
  return { result: { case: "error" as const, value: itemErrorOf(result.error, PostingErrorSchema) } };
}
