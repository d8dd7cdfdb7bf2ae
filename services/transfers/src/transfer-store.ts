import { create } from "@bufbuild/protobuf";
import type { Context } from "@opentelemetry/api";
import { arrayColumns } from "@paymesh/db";
import { formatMinor } from "@paymesh/domain";
import { appendEvents, type OutgoingEvent } from "@paymesh/events";
import { TransferCompletedSchema, TransferFailedSchema, TransferInitiatedSchema } from "@paymesh/gen/paymesh/transfers/v1/events_pb";
import { and, eq, sql } from "drizzle-orm";
import type { Limits } from "./default-limit-policy.js";
import { entryIdFor } from "./entry-id-for.js";
import { limitsFor } from "./limits-for.js";
import { type FailureReasonName, limitUsage, transfers } from "./schema.js";
import { transferOf } from "./to-proto.js";
import type { TransferRequest } from "./transfer-request.js";
import type { TransferRow, TransfersDatabase, TransfersTransaction } from "./transfers-database.js";
import { usagePeriods } from "./usage-periods.js";

/** Why a transfer failed, as stored and shown. */
export interface Failure {
  reason: FailureReasonName;
  message: string;
}

/** A transfer about to be recorded: the request and what the checks before the ledger found. */
export interface NewTransfer {
  id: string;
  payer: string;
  idempotencyKey: string;
  requestFingerprint: string;
  request: TransferRequest;
  /** The payee's account, when known. */
  toAccountId: string | null;
  /** The payee's subject, "" when unknown. */
  payee: string;
  /** The payee handle's masked display name, as resolving it showed; "" when not paid by a resolved handle. */
  payeeMaskedDisplayName: string;
  /** Set when a check before the ledger already failed the transfer. */
  failure?: Failure;
}

/** Maps an event name (e.g. `transfer_completed`) to its subject. */
export type SubjectOf = (event: string) => string;

export async function findTransfer(db: TransfersDatabase | TransfersTransaction, id: string): Promise<TransferRow | undefined> {
  const [row] = await db.select().from(transfers).where(eq(transfers.id, id));
  return row;
}

export async function findTransferByKey(db: TransfersDatabase, payer: string, idempotencyKey: string): Promise<TransferRow | undefined> {
  const [row] = await db
    .select()
    .from(transfers)
    .where(and(eq(transfers.payer, payer), eq(transfers.idempotencyKey, idempotencyKey)));
  return row;
}

/** A transfer to record, with the limits of its currency and the trace of the request that made it. */
export interface TransferToRecord {
  input: NewTransfer;
  limits: Limits;
  /** The request's trace, for the transfer's events. Default: the active context. */
  traceContext?: Context;
}

/** What recording gave: the new transfer, or (created false) the one its key already made. */
export interface RecordedTransfer {
  created: boolean;
  row: TransferRow;
}

/**
 * Records one transfer (see {@link recordTransfers}); `limits` are read from the database when
 * not given.
 */
export async function recordTransfer(
  db: TransfersDatabase,
  input: NewTransfer,
  at: Date,
  subject: SubjectOf,
  limits?: Limits,
): Promise<RecordedTransfer> {
  const [recorded] = await recordTransfers(db, [{ input, limits: limits ?? (await limitsFor(db, input.request.currency)) }], at, subject);
  return recorded!;
}

/**
 * Records transfers, each INITIATED with its limit usage reserved or FAILED, with their events,
 * in one transaction: a few statements for the whole group, however many transfers it holds.
 * The (payer, idempotency_key) unique index makes this the one place a key is claimed: a
 * concurrent duplicate waits on the index for the transaction that holds its key and then finds
 * the row, so `created` is false and `row` is the transfer the key already made. Results are in
 * the order given.
 */
export async function recordTransfers(
  db: TransfersDatabase,
  items: readonly TransferToRecord[],
  at: Date,
  subject: SubjectOf,
): Promise<RecordedTransfer[]> {
  return db.transaction(async (tx) => {
    const periods = usagePeriods(at);
    const candidates: TransferRow[] = items.map(({ input }) => {
      const { request, failure } = input;
      return {
        id: input.id,
        payer: input.payer,
        idempotencyKey: input.idempotencyKey,
        requestFingerprint: input.requestFingerprint,
        fromAccountId: request.fromAccountId,
        toAccountId: input.toAccountId,
        toHandle: request.to.kind === "handle" ? request.to.handle : "",
        amount: request.amount,
        currency: request.currency,
        memo: request.memo,
        status: failure === undefined ? "initiated" : "failed",
        failureReason: failure?.reason ?? null,
        failureMessage: failure?.message ?? "",
        entryId: entryIdFor(input.id),
        payee: input.payee,
        payeeMaskedDisplayName: input.payeeMaskedDisplayName,
        // Provisionally: if the reservation below fails the transfer fails and holds nothing.
        usageDay: failure === undefined ? periods.day : null,
        usageMonth: failure === undefined ? periods.month : null,
        createdAt: at,
        updatedAt: at,
      };
    });
    const column = arrayColumns(candidates);
    // Every column is given here, so the rows inserted are exactly the candidates whose ids come back.
    const inserted = await tx.execute<{ id: string }>(sql`
      insert into ${transfers} (
        id, payer, idempotency_key, request_fingerprint, from_account_id, to_account_id, to_handle, amount, currency,
        memo, status, failure_reason, failure_message, entry_id, payee, payee_masked_display_name, usage_day,
        usage_month, created_at, updated_at
      )
      select v.*, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz
      from unnest(
        ${column((r) => r.id)}::uuid[], ${column((r) => r.payer)}::text[], ${column((r) => r.idempotencyKey)}::text[],
        ${column((r) => r.requestFingerprint)}::text[], ${column((r) => r.fromAccountId)}::uuid[],
        ${column((r) => r.toAccountId)}::uuid[], ${column((r) => r.toHandle)}::text[],
        ${column((r) => r.amount.toString())}::bigint[], ${column((r) => r.currency)}::text[], ${column((r) => r.memo)}::text[],
        ${column((r) => r.status)}::text[], ${column((r) => r.failureReason)}::text[], ${column((r) => r.failureMessage)}::text[],
        ${column((r) => r.entryId)}::uuid[], ${column((r) => r.payee)}::text[], ${column((r) => r.payeeMaskedDisplayName)}::text[],
        ${column((r) => r.usageDay)}::text[]::date[], ${column((r) => r.usageMonth)}::text[]::date[]
      ) as v
      on conflict (payer, idempotency_key) do nothing
      returning id`);
    const insertedIds = new Set(inserted.map((row) => row.id));
    const rows = new Map(candidates.filter((row) => insertedIds.has(row.id)).map((row) => [row.id, row]));
    const results: RecordedTransfer[] = [];
    for (const { input } of items) {
      const row = rows.get(input.id);
      if (row !== undefined) {
        results.push({ created: true, row });
        continue;
      }
      const [existing] = await tx
        .select()
        .from(transfers)
        .where(and(eq(transfers.payer, input.payer), eq(transfers.idempotencyKey, input.idempotencyKey)));
      results.push({ created: false, row: existing! });
    }

    const created = items.flatMap((item, i) => (results[i]!.created ? [{ ...item, row: results[i]!.row }] : []));
    const events: OutgoingEvent[] = [];
    for (const { row, traceContext } of created) {
      events.push({
        subject: subject("transfer_initiated"),
        schema: TransferInitiatedSchema,
        // As accepted: a transfer failed by the checks was still initiated first.
        message: create(TransferInitiatedSchema, {
          transfer: transferOf({ ...row, status: "initiated", failureReason: null, failureMessage: "" }),
        }),
        traceContext,
      });
      if (row.status === "failed") events.push({ ...failedEvent(row, subject), traceContext });
    }
    // The reservations and the events are independent statements: sent together (pipelined on
    // the transaction's connection) rather than one round trip after the other.
    const [exceeded] = await Promise.all([
      reserveLimits(
        tx,
        created.filter(({ row }) => row.status === "initiated"),
        at,
      ),
      appendEvents(tx, events),
    ]);
    if (exceeded.size === 0) return results;

    const failing = created.filter(({ row }) => exceeded.has(row.id));
    const failed = await Promise.all(
      failing.map(async ({ row }) => {
        const { reason, message } = exceeded.get(row.id)!;
        const [updated] = (await tx
          .update(transfers)
          .set({ status: "failed", failureReason: reason, failureMessage: message, usageDay: null, usageMonth: null })
          .where(eq(transfers.id, row.id))
          .returning()) as [TransferRow];
        return updated;
      }),
    );
    await appendEvents(
      tx,
      failed.map((row, i) => ({ ...failedEvent(row, subject), traceContext: failing[i]!.traceContext })),
    );
    const byId = new Map(failed.map((row) => [row.id, row]));
    return results.map((result) => ({ ...result, row: (result.created && byId.get(result.row.id)) || result.row }));
  });
}

/** A transfer to settle, by the ledger's answer: no failure means its entry was applied. */
export interface TransferToFinish {
  transfer: TransferRow;
  failure?: Failure;
  /** The request's trace, for the transfer's event. Default: the active context. */
  traceContext?: Context;
}

/** Settles one INITIATED transfer (see {@link finishTransfers}); undefined if it was settled already. */
export async function finishTransfer(
  tx: TransfersTransaction,
  transfer: TransferRow,
  failure: Failure | undefined,
  at: Date,
  subject: SubjectOf,
): Promise<TransferRow | undefined> {
  const [row] = await finishTransfers(tx, [{ transfer, failure }], at, subject);
  return row;
}

/**
 * Moves INITIATED transfers to COMPLETED or FAILED, each with its event; a failure gives its
 * limit usage back. Only the first to settle a transfer wins (the update is conditional on the
 * status), so a request handler and the recovery worker can never both finish one: the loser
 * gets undefined for it and writes nothing. Results are in the order given.
 */
export async function finishTransfers(
  tx: TransfersTransaction,
  items: readonly TransferToFinish[],
  at: Date,
  subject: SubjectOf,
): Promise<Array<TransferRow | undefined>> {
  // Each transfer as it stands once settled; the updates only say which ones they settled.
  const settledAs = ({ transfer, failure }: TransferToFinish): TransferRow =>
    failure === undefined
      ? { ...transfer, status: "completed", updatedAt: at }
      : {
          ...transfer,
          status: "failed",
          failureReason: failure.reason,
          failureMessage: failure.message,
          usageDay: null,
          usageMonth: null,
          updatedAt: at,
        };
  const completing = items.filter((item) => item.failure === undefined).map((item) => item.transfer.id);
  const [completed, ...failed] = await Promise.all([
    completing.length === 0
      ? []
      : tx.execute<{ id: string }>(
          sql`update ${transfers} set status = 'completed', updated_at = ${at.toISOString()}::timestamptz
              where id = any(${sql.param(completing)}::uuid[]) and status = 'initiated' returning id`,
        ),
    ...items
      .filter((item) => item.failure !== undefined)
      .map((item) => {
        const { status, failureReason, failureMessage, usageDay, usageMonth, updatedAt } = settledAs(item);
        return tx
          .update(transfers)
          .set({ status, failureReason, failureMessage, usageDay, usageMonth, updatedAt })
          .where(and(eq(transfers.id, item.transfer.id), eq(transfers.status, "initiated")))
          .returning({ id: transfers.id });
      }),
  ]);
  const won = new Set([...completed, ...failed.flat()].map((row) => row.id));
  const results = items.map((item) => (won.has(item.transfer.id) ? settledAs(item) : undefined));
  const releases = items
    .filter(({ transfer, failure }) => failure !== undefined && won.has(transfer.id))
    .map(({ transfer }) =>
      giveUsageBack(tx, transfer.fromAccountId, transfer.amount, { day: transfer.usageDay, month: transfer.usageMonth }),
    );
  const events = items.flatMap(({ failure, traceContext }, i): OutgoingEvent[] => {
    const row = results[i];
    if (row === undefined) return [];
    return [
      failure === undefined
        ? {
            subject: subject("transfer_completed"),
            schema: TransferCompletedSchema,
            message: create(TransferCompletedSchema, { transfer: transferOf(row) }),
            traceContext,
          }
        : { ...failedEvent(row, subject), traceContext },
    ];
  });
  await Promise.all([...releases, appendEvents(tx, events)]);
  return results;
}

/** Gives `amount` of an account's limit usage back in the periods given (their first days), skipping a null one. */
async function giveUsageBack(
  tx: TransfersTransaction,
  accountId: string,
  amount: bigint,
  periods: { day: string | null; month: string | null },
): Promise<void> {
  const starts = [
    ...(periods.day === null ? [] : [sql`('day', ${periods.day}::date)`]),
    ...(periods.month === null ? [] : [sql`('month', ${periods.month}::date)`]),
  ];
  if (starts.length === 0) return;
  await tx
    .update(limitUsage)
    .set({ used: sql`${limitUsage.used} - ${amount}` })
    .where(
      and(eq(limitUsage.accountId, accountId), sql`(${limitUsage.period}, ${limitUsage.periodStart}) in (${sql.join(starts, sql`, `)})`),
    );
}

function failedEvent(row: TransferRow, subject: SubjectOf): OutgoingEvent {
  return {
    subject: subject("transfer_failed"),
    schema: TransferFailedSchema,
    message: create(TransferFailedSchema, { transfer: transferOf(row) }),
  };
}

/**
 * Reserves each transfer's amount against its account's daily and monthly usage, and gives the
 * transfers that would cross a limit, with which. Per account and period, one conditional upsert
 * of both rows: each row is locked while it is checked and raised, so concurrent transfers from
 * one account serialise on it and together never pass a limit. A statement may touch a row only
 * once, so transfers go in waves, a wave holding at most one transfer per account (and one
 * currency, whose limits the statement names), one wave after the other. When only one of a
 * transfer's two rows fits, that one is given back before the next wave.
 */
async function reserveLimits(
  tx: TransfersTransaction,
  items: ReadonlyArray<{ row: TransferRow; limits: Limits }>,
  at: Date,
): Promise<Map<string, Failure>> {
  const exceeded = new Map<string, Failure>();
  const over = (what: string, max: bigint, currency: string): Failure => ({
    reason: "limit_exceeded",
    message: `this transfer would exceed the ${what} limit of ${formatMinor(max, currency)}`,
  });
  const waves = new Map<string, Array<{ row: TransferRow; limits: Limits }>>();
  const seen = new Map<string, number>();
  for (const item of items) {
    const { amount, currency } = item.row;
    const { perTransactionMax, dailyMax, monthlyMax } = item.limits;
    if (amount > perTransactionMax) exceeded.set(item.row.id, over("per-transaction", perTransactionMax, currency));
    else if (amount > dailyMax) exceeded.set(item.row.id, over("daily", dailyMax, currency));
    else if (amount > monthlyMax) exceeded.set(item.row.id, over("monthly", monthlyMax, currency));
    if (exceeded.has(item.row.id)) continue;
    const nth = seen.get(item.row.fromAccountId) ?? 0;
    seen.set(item.row.fromAccountId, nth + 1);
    const key = `${nth} ${currency} ${dailyMax} ${monthlyMax}`;
    const wave = waves.get(key) ?? [];
    wave.push(item);
    waves.set(key, wave);
  }
  const { day, month } = usagePeriods(at);
  for (const wave of waves.values()) {
    const { dailyMax, monthlyMax } = wave[0]!.limits;
    const accounts = sql.param(wave.map(({ row }) => row.fromAccountId));
    const amounts = sql.param(wave.map(({ row }) => row.amount.toString()));
    const reserved = await tx.execute<{ account_id: string; period: string }>(sql`
      insert into ${limitUsage} (account_id, period, period_start, used)
      select account_id, period.name, period.start, used
      from unnest(${accounts}::uuid[], ${amounts}::bigint[]) as wave(account_id, used),
        (values ('day', ${day}::date), ('month', ${month}::date)) as period(name, start)
      on conflict (account_id, period, period_start) do update set used = ${limitUsage}.used + excluded.used
      -- Written as used <= max - amount (amount <= max was checked above), so it cannot overflow.
      where ${limitUsage}.used <= case excluded.period when 'day' then ${dailyMax.toString()}::bigint else ${monthlyMax.toString()}::bigint end - excluded.used
      returning account_id, period`);
    const periodsOf = new Map<string, string[]>();
    for (const { account_id: accountId, period } of reserved) periodsOf.set(accountId, [...(periodsOf.get(accountId) ?? []), period]);
    await Promise.all(
      wave.map(async ({ row }) => {
        const got = periodsOf.get(row.fromAccountId) ?? [];
        if (got.length === 2) return;
        exceeded.set(row.id, got.includes("day") ? over("monthly", monthlyMax, row.currency) : over("daily", dailyMax, row.currency));
        await giveUsageBack(tx, row.fromAccountId, row.amount, {
          day: got.includes("day") ? day : null,
          month: got.includes("month") ? month : null,
        });
      }),
    );
  }
  return exceeded;
}
