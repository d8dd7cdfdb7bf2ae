import { create } from "@bufbuild/protobuf";
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

/**
 * Records a transfer, INITIATED with its limit usage reserved or FAILED, with its events, in one
 * transaction. `limits` are the currency's (read from the database when not given). The (payer, idempotency_key) unique index makes this the one place a key is
 * claimed: a concurrent duplicate waits on the index for this transaction and then finds the
 * row, so `created` is false and `row` is the transfer the key already made.
 */
export async function recordTransfer(
  db: TransfersDatabase,
  input: NewTransfer,
  at: Date,
  subject: SubjectOf,
  limits?: Limits,
): Promise<{ created: boolean; row: TransferRow }> {
  return db.transaction(async (tx) => {
    const { request, failure } = input;
    const periods = usagePeriods(at);
    const [inserted] = await tx
      .insert(transfers)
      .values({
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
      })
      .onConflictDoNothing({ target: [transfers.payer, transfers.idempotencyKey] })
      .returning();
    if (inserted === undefined) {
      const [existing] = await tx
        .select()
        .from(transfers)
        .where(and(eq(transfers.payer, input.payer), eq(transfers.idempotencyKey, input.idempotencyKey)));
      return { created: false, row: existing! };
    }
    const initiated: OutgoingEvent = {
      subject: subject("transfer_initiated"),
      schema: TransferInitiatedSchema,
      // As accepted: a transfer failed by the checks was still initiated first.
      message: create(TransferInitiatedSchema, {
        transfer: transferOf({ ...inserted, status: "initiated", failureReason: null, failureMessage: "" }),
      }),
    };
    if (inserted.status === "failed") {
      await appendEvents(tx, [initiated, failedEvent(inserted, subject)]);
      return { created: true, row: inserted };
    }
    // The reservation and the event are independent statements: sent together (pipelined on
    // the transaction's connection) rather than one round trip after the other.
    const [exceeded] = await Promise.all([
      reserveLimits(tx, inserted, at, limits ?? (await limitsFor(tx, inserted.currency))),
      appendEvents(tx, [initiated]),
    ]);
    if (exceeded === undefined) return { created: true, row: inserted };
    const [row] = (await tx
      .update(transfers)
      .set({ status: "failed", failureReason: exceeded.reason, failureMessage: exceeded.message, usageDay: null, usageMonth: null })
      .where(eq(transfers.id, inserted.id))
      .returning()) as [TransferRow];
    await appendEvents(tx, [failedEvent(row, subject)]);
    return { created: true, row };
  });
}

/** Thrown (to roll the transaction back) when a pipelined finish finds the transfer already settled. */
export class AlreadySettled extends Error {
  override readonly name = "AlreadySettled";
}

/**
 * Moves an INITIATED transfer to COMPLETED or FAILED, with its event; a failure gives its limit
 * usage back. Only the first caller wins (the update is conditional on the status), so a
 * handler and the recovery worker can never both finish a transfer; the loser gets undefined.
 *
 * `pipelined` sends the update, the usage release and the event together instead of one after
 * the other; the event is then written before the update's outcome is known, so when the
 * transfer turns out to be settled already this throws {@link AlreadySettled} and the caller's
 * transaction must roll back (only for a transaction that does nothing else).
 */
export async function finishTransfer(
  tx: TransfersTransaction,
  transfer: TransferRow,
  failure: Failure | undefined,
  at: Date,
  subject: SubjectOf,
  { pipelined = false }: { pipelined?: boolean } = {},
): Promise<TransferRow | undefined> {
  const changes =
    failure === undefined
      ? { status: "completed" as const, updatedAt: at }
      : {
          status: "failed" as const,
          failureReason: failure.reason,
          failureMessage: failure.message,
          usageDay: null,
          usageMonth: null,
          updatedAt: at,
        };
  const update = () =>
    tx
      .update(transfers)
      .set(changes)
      .where(and(eq(transfers.id, transfer.id), eq(transfers.status, "initiated")))
      .returning();
  const release = async () => {
    if (failure === undefined || transfer.usageDay === null || transfer.usageMonth === null) return;
    await tx
      .update(limitUsage)
      .set({ used: sql`${limitUsage.used} - ${transfer.amount}` })
      .where(
        and(
          eq(limitUsage.accountId, transfer.fromAccountId),
          sql`(${limitUsage.period}, ${limitUsage.periodStart}) in (('day', ${transfer.usageDay}::date), ('month', ${transfer.usageMonth}::date))`,
        ),
      );
  };
  const event = (row: TransferRow): OutgoingEvent =>
    failure === undefined
      ? {
          subject: subject("transfer_completed"),
          schema: TransferCompletedSchema,
          message: create(TransferCompletedSchema, { transfer: transferOf(row) }),
        }
      : failedEvent(row, subject);
  if (pipelined) {
    const expected: TransferRow = { ...transfer, ...changes };
    const [[row]] = await Promise.all([update(), release(), appendEvents(tx, [event(expected)])]);
    if (row === undefined) throw new AlreadySettled(`transfer ${transfer.id} is already settled`);
    return row;
  }
  const [row] = await update();
  if (row === undefined) return undefined;
  await release();
  await appendEvents(tx, [event(row)]);
  return row;
}

function failedEvent(row: TransferRow, subject: SubjectOf): OutgoingEvent {
  return {
    subject: subject("transfer_failed"),
    schema: TransferFailedSchema,
    message: create(TransferFailedSchema, { transfer: transferOf(row) }),
  };
}

/**
 * Reserves the transfer's amount against its account's daily and monthly usage, or says which
 * limit it would cross. One conditional upsert of both rows: each row is locked while it is
 * checked and raised, so concurrent transfers from one account serialise on it and together
 * never pass a limit. When only one of the two rows fits, that one is given back at once.
 */
async function reserveLimits(tx: TransfersTransaction, transfer: TransferRow, at: Date, limits: Limits): Promise<Failure | undefined> {
  const { amount, currency } = transfer;
  const exceeded = (what: string, max: bigint): Failure => ({
    reason: "limit_exceeded",
    message: `this transfer would exceed the ${what} limit of ${formatMinor(max, currency)}`,
  });
  if (amount > limits.perTransactionMax) return exceeded("per-transaction", limits.perTransactionMax);
  if (amount > limits.dailyMax) return exceeded("daily", limits.dailyMax);
  if (amount > limits.monthlyMax) return exceeded("monthly", limits.monthlyMax);
  const { day, month } = usagePeriods(at);
  const reserved = await tx
    .insert(limitUsage)
    .values([
      { accountId: transfer.fromAccountId, period: "day", periodStart: day, used: amount },
      { accountId: transfer.fromAccountId, period: "month", periodStart: month, used: amount },
    ])
    .onConflictDoUpdate({
      target: [limitUsage.accountId, limitUsage.period, limitUsage.periodStart],
      set: { used: sql`${limitUsage.used} + excluded.used` },
      // Written as used <= max - amount (amount <= max was checked above), so it cannot overflow.
      setWhere: sql`${limitUsage.used} <= case excluded.period when 'day' then ${limits.dailyMax.toString()}::bigint else ${limits.monthlyMax.toString()}::bigint end - excluded.used`,
    })
    .returning({ period: limitUsage.period, periodStart: limitUsage.periodStart });
  if (reserved.length === 2) return undefined;
  for (const { period, periodStart } of reserved) {
    await tx
      .update(limitUsage)
      .set({ used: sql`${limitUsage.used} - ${amount}` })
      .where(and(eq(limitUsage.accountId, transfer.fromAccountId), eq(limitUsage.period, period), eq(limitUsage.periodStart, periodStart)));
  }
  return reserved.some((row) => row.period === "day") ? exceeded("monthly", limits.monthlyMax) : exceeded("daily", limits.dailyMax);
}
