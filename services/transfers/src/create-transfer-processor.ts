import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { context } from "@opentelemetry/api";
import { isDatabaseUnavailable, retryOnConflict } from "@paymesh/db";
import type { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import type { EntryError, LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import type { CreateTransferRequest } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { createBatcher, DomainError, type Principal, transientError } from "@paymesh/runtime";
import type { Logger } from "pino";
import { v7 as uuidv7 } from "uuid";
import { classifyLedgerError } from "./classify-ledger-error.js";
import type { Clock } from "./clock.js";
import type { AccountDirectory } from "./create-account-directory.js";
import type { IdempotencyGate } from "./create-idempotency-gate.js";
import type { LimitPolicies } from "./create-limit-policies.js";
import type { TransferOutcomes } from "./create-transfer-outcomes.js";
import { entryRequestFor } from "./entry-request-for.js";
import { requestDifference } from "./request-difference.js";
import { requestFingerprint } from "./request-fingerprint.js";
import { storedRequestOf, type TransferRequest, transferRequestOf } from "./transfer-request.js";
import {
  type Failure,
  findTransfer,
  findTransferByKey,
  finishTransfers,
  type RecordedTransfer,
  recordTransfers,
  type SubjectOf,
  type TransferToFinish,
  type TransferToRecord,
} from "./transfer-store.js";
import type { TransferRow, TransfersDatabase } from "./transfers-database.js";

export interface TransferProcessorOptions {
  db: TransfersDatabase;
  ledger: Client<typeof LedgerService>;
  handles: Client<typeof HandleService>;
  accounts: AccountDirectory;
  limits: LimitPolicies;
  gate: IdempotencyGate;
  now: Clock;
  subject: SubjectOf;
  logger: Logger;
  /** Told of every transfer this processor settles. */
  outcomes: TransferOutcomes;
  /** How long a duplicate waits for the first request with its key to settle its transfer. Default 5 s. */
  followerWaitMs?: number;
  /**
   * How long a duplicate waits for the first request to record a transfer at all. Default 1 s:
   * recording takes milliseconds, so a key held longer with nothing recorded belongs to a
   * request that died (its Redis claim outlives it); going ahead is safe, the database decides.
   */
  recordWaitMs?: number;
  /**
   * Most transfers one group takes at each step (recording, posting, settling). Default 500;
   * at most 1,000, what one PostEntries call carries.
   */
  maxBatch?: number;
}

export interface TransferProcessor {
  /** CreateTransfer for `caller`: the transfer its idempotency key stands for, new or earlier. */
  create(caller: Principal, req: CreateTransferRequest): Promise<TransferRow>;
}

/** Where the payee stands after resolution; `maskedDisplayName` is what resolving the handle showed ("" if none). */
type PayeeCheck = { maskedDisplayName: string } & (
  | { ok: true; accountId: string; owner: string; currency: string }
  | { ok: false; accountId: string | null; failure: Failure }
);

/**
 * The CreateTransfer flow: validate (protovalidate, before this) → idempotency → resolve the
 * payee and check the paying account → record the transfer (limits reserved) → post the entry
 * → COMPLETED or FAILED.
 *
 * The last three steps are group commits (see createBatcher): concurrent requests are recorded
 * in one transaction, their entries posted with one PostEntries call and their transfers settled
 * in one transaction, so under load a transfer costs a fraction of a commit and of a ledger call.
 * A request alone goes through each step at once, so it waits for nobody.
 *
 * The contract for answers: a request that is malformed (INVALID_ARGUMENT), not the caller's to
 * make (PERMISSION_DENIED), reuses a key for another request (ALREADY_EXISTS), pays a handle
 * with the caller's lookups used up (RESOURCE_EXHAUSTED) or cannot be decided because a
 * dependency is down before anything was recorded (UNAVAILABLE) is an RPC error and records
 * nothing. Every other outcome is a recorded transfer, returned normally:
 * COMPLETED, FAILED with its reason (insufficient funds, payee unavailable, limit exceeded,
 * account unavailable), or, only when the ledger's answer was lost, INITIATED until recovery
 * settles it. So a retry with the same key returns the same transfer, failed ones included.
 */
export function createTransferProcessor(options: TransferProcessorOptions): TransferProcessor {
  const { db, ledger, handles, accounts, limits, gate, now, subject, logger, outcomes } = options;
  const followerWaitMs = options.followerWaitMs ?? 5_000;
  const recordWaitMs = options.recordWaitMs ?? 1_000;
  const maxBatch = Math.min(options.maxBatch ?? 500, 1_000);
  // A statement refused for a value rather than an outage was about one transfer: the others of
  // its group go again on their own, so one bad request cannot fail its neighbours.
  const aboutATransfer = (error: unknown) => !isDatabaseUnavailable(error);

  const recorder = createBatcher<TransferToRecord, RecordedTransfer>({
    run: (items) => retryOnConflict(() => recordTransfers(db, items, now(), subject)),
    maxBatch,
    isolate: aboutATransfer,
  });
  /** Each entry's answer: undefined when applied (new or earlier), else why not. */
  const poster = createBatcher<TransferRow, EntryError | undefined>({
    run: async (rows) => {
      const { results } = await ledger.postEntries({ entries: rows.map(entryRequestFor) });
      return rows.map((_, i) => {
        const result = results[i]?.result;
        if (result?.case === "entry") return undefined;
        if (result?.case === "error") return result.value;
        throw new ConnectError(`the ledger gave no result for entry ${i} of ${rows.length}`, Code.Internal);
      });
    },
    maxBatch,
    // The call was refused as a whole for one entry's content: each is sent again on its own.
    isolate: (error) => ConnectError.from(error).code === Code.InvalidArgument,
  });
  const finisher = createBatcher<TransferToFinish, TransferRow | undefined>({
    run: (items) => retryOnConflict(() => db.transaction((tx) => finishTransfers(tx, items, now(), subject))),
    maxBatch,
    isolate: aboutATransfer,
  });

  /** The earlier transfer of a key, if the request is the same; refused (naming the field) if not. */
  const sameRequest = (row: TransferRow, request: TransferRequest, fingerprint: string): TransferRow => {
    if (row.requestFingerprint === fingerprint) return row;
    const field = requestDifference(storedRequestOf(row), request) ?? "the request";
    throw new DomainError("already_exists", `idempotency_key was already used for a different transfer: ${field} differs`);
  };

  /**
   * A duplicate waits for the request holding its key: returns that request's transfer once
   * settled (or, past the wait, as it stands), or undefined if no transfer appeared and the key
   * was let go (the first request was refused). Duplicates never post themselves: only the
   * request that recorded a transfer, and recovery, ever send its entry.
   */
  const awaitFirst = async (
    caller: string,
    key: string,
    request: TransferRequest,
    fingerprint: string,
    stillHeld: () => Promise<boolean>,
  ): Promise<TransferRow | undefined> => {
    const start = Date.now();
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      const row = await findTransferByKey(db, caller, key);
      if (row !== undefined) {
        const same = sameRequest(row, request, fingerprint);
        if (same.status !== "initiated" || Date.now() - start > followerWaitMs) return same;
      } else if (Date.now() - start > recordWaitMs || !(await stillHeld())) {
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };

  /**
   * Resolves and checks the payee. A handle is resolved on behalf of the caller (unless a service
   * calls), so the lookup is metered against their bucket in the directory like their own lookups:
   * paying handles must be no cheaper a way to learn which exist than resolving them.
   */
  const checkPayee = async (caller: Principal, request: TransferRequest): Promise<PayeeCheck> => {
    let accountId: string;
    let owner: string | undefined;
    let maskedDisplayName = "";
    if (request.to.kind === "handle") {
      try {
        const onBehalfOf = caller.role === "service" ? "" : caller.subject;
        const { resolved } = await handles.resolveHandle({ handle: request.to.handle, onBehalfOf });
        accountId = resolved!.accountId;
        owner = resolved!.owner;
        maskedDisplayName = resolved!.maskedDisplayName;
      } catch (error) {
        const failure = ConnectError.from(error);
        if (failure.code === Code.NotFound) {
          return {
            ok: false,
            accountId: null,
            maskedDisplayName,
            failure: { reason: "payee_unavailable", message: `${request.to.handle} does not resolve to anyone` },
          };
        }
        if (failure.code === Code.ResourceExhausted) throw new TooManyLookups(failure);
        throw transientError(error, "the handle directory");
      }
    } else {
      accountId = request.to.accountId;
    }
    const account = await accounts.lookup(accountId);
    if (account === undefined || account.closed) {
      return {
        ok: false,
        accountId,
        maskedDisplayName,
        failure: { reason: "payee_unavailable", message: "the payee's account is not open" },
      };
    }
    if (account.currency !== request.currency) {
      return {
        ok: false,
        accountId,
        maskedDisplayName,
        failure: { reason: "account_unavailable", message: `the payee's account holds ${account.currency}, not ${request.currency}` },
      };
    }
    return { ok: true, accountId, maskedDisplayName, owner: owner || account.owner, currency: account.currency };
  };

  /** Checks the payer and payee and records the transfer, INITIATED or already FAILED. */
  const record = async (principal: Principal, key: string, request: TransferRequest, fingerprint: string) => {
    const caller = principal.subject;
    const [payerResult, payeeResult] = await Promise.allSettled([accounts.lookup(request.fromAccountId), checkPayee(principal, request)]);
    if (payerResult.status === "rejected") throw payerResult.reason;
    const payer = payerResult.value;
    // A missing account and someone else's look the same, so nobody learns which accounts exist.
    if (payer === undefined || payer.owner !== caller) {
      throw new DomainError("permission_denied", `account ${request.fromAccountId} is not one of yours`);
    }
    if (payeeResult.status === "rejected") {
      // The lookup was refused (the payer's bucket is empty), but a retry of a transfer recorded
      // longer ago than the fast path's claim lasts needs no lookup: it gets its transfer back.
      const earlier = payeeResult.reason instanceof TooManyLookups ? await findTransferByKey(db, caller, key) : undefined;
      if (earlier !== undefined) return { created: false, row: earlier };
      throw payeeResult.reason;
    }
    const payee = payeeResult.value;
    if (payee.accountId === request.fromAccountId) {
      throw new DomainError("invalid_argument", "a transfer cannot pay the account it is paid from");
    }
    const policy = await limits.get(request.currency);
    let failure: Failure | undefined;
    if (payer.closed) failure = { reason: "account_unavailable", message: "the paying account is closed" };
    else if (payer.currency !== request.currency) {
      failure = { reason: "account_unavailable", message: `the paying account holds ${payer.currency}, not ${request.currency}` };
    } else if (!payee.ok) failure = payee.failure;
    return recorder.submit({
      input: {
        id: uuidv7(),
        payer: caller,
        idempotencyKey: key,
        requestFingerprint: fingerprint,
        request,
        toAccountId: payee.accountId,
        payee: payee.ok ? payee.owner : "",
        payeeMaskedDisplayName: payee.maskedDisplayName,
        failure,
      },
      limits: policy,
      traceContext: context.active(),
    });
  };

  /** Posts an INITIATED transfer's entry and settles the transfer by the ledger's answer. */
  const settle = async (row: TransferRow): Promise<TransferRow> => {
    let failure: Failure | undefined;
    let refusal: ConnectError | EntryError | undefined;
    try {
      refusal = await poster.submit(row);
    } catch (error) {
      refusal = ConnectError.from(error);
    }
    if (refusal !== undefined) {
      const outcome = classifyLedgerError(refusal, { from: row.fromAccountId, to: row.toAccountId ?? "" });
      if (outcome.kind !== "refused") {
        // The entry may exist or not: leave the transfer INITIATED for recovery, which re-posts
        // the same entry id and so learns the answer without risking a second posting.
        logger[outcome.kind === "conflict" ? "error" : "warn"](
          { transferId: row.id, entryId: row.entryId, outcome },
          "ledger answer lost; recovery will settle the transfer",
        );
        return row;
      }
      failure = { reason: outcome.reason, message: outcome.message };
    }
    const settled = await finisher.submit({ transfer: row, failure, traceContext: context.active() });
    if (settled === undefined) {
      // Recovery settled it first (this request outlived its wait): its answer stands.
      return (await findTransfer(db, row.id))!;
    }
    outcomes.settled(settled);
    return settled;
  };

  return {
    async create(principal, req) {
      const caller = principal.subject;
      const request = transferRequestOf(req);
      const fingerprint = requestFingerprint(request);
      const key = req.idempotencyKey;
      const ticket = await gate.enter(caller, key);
      if (ticket.role === "follower") {
        const first = await awaitFirst(caller, key, request, fingerprint, ticket.stillHeld);
        if (first !== undefined) return first;
        // The first request recorded nothing (it was refused) or is taking too long: go ahead,
        // the unique (payer, key) row still decides which request makes the transfer.
      }
      try {
        // A fresh Redis claim means no request used the key within its TTL; an older use still
        // surfaces below, as the conflict on the unique (payer, key) row.
        const existing = ticket.role === "leader" ? undefined : await findTransferByKey(db, caller, key);
        const { created, row } =
          existing !== undefined ? { created: false, row: existing } : await record(principal, key, request, fingerprint);
        if (!created) {
          sameRequest(row, request, fingerprint);
          // Another request (with Redis bypassed or expired) made it: wait for its outcome.
          return row.status === "initiated" ? ((await awaitFirst(caller, key, request, fingerprint, async () => true)) ?? row) : row;
        }
        if (row.status === "initiated") return await settle(row);
        outcomes.settled(row);
        return row;
      } catch (error) {
        // Nothing recorded under the key (or nothing we know of): let waiting duplicates go ahead.
        if (ticket.role === "leader") await ticket.release();
        throw error;
      }
    },
  };
}

/**
 * The directory refused to resolve for the payer: their lookup bucket is empty. Nothing is
 * recorded, so the same request (same key) may be sent again when the directory says.
 */
class TooManyLookups extends DomainError {
  constructor(refusal: ConnectError) {
    const retryAfterMs = refusal.metadata.get("retry-after-ms") ?? "1000";
    const seconds = Math.max(1, Math.ceil(Number(retryAfterMs) / 1000));
    super(
      "resource_exhausted",
      `too many handle lookups: paying a handle looks it up, and handles that do not exist cost many lookups; try again in ${seconds} s`,
      { "retry-after-ms": retryAfterMs, "retry-after": String(seconds) },
    );
  }
}
