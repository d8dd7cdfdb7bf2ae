import { Code, ConnectError } from "@connectrpc/connect";
import { appendEvents } from "@paymesh/events";
import { createIntervalWorker, type IntervalWorker, isTransientCode } from "@paymesh/runtime";
import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Clock } from "./clock.js";
import { outcomeAtClose } from "./decide-outcome.js";
import type { GovernanceDatabase, ProposalRow } from "./governance-database.js";
import { executionRecord, outcomeRecord } from "./log-records.js";
import { appendToLog } from "./merkle-log.js";
import type { Owners, ParameterSpec } from "./parameter-catalog.js";
import { executionEnded, proposalClosed, proposalQueued, type SubjectOf, votersOf } from "./proposal-events.js";
import { proposals } from "./schema.js";

export interface ExecutionWorkerOptions {
  db: GovernanceDatabase;
  owners: Owners;
  parameters: ReadonlyMap<string, ParameterSpec>;
  now: Clock;
  subject: SubjectOf;
  logger: Logger;
  /** Between a proposal passing and its execution. */
  timelockMs: number;
  /** How long after its timelock a passed proposal may still be executed before it expires. */
  gracePeriodMs: number;
  /** Pause between passes. Default 1 s: a step is at most about a second late. */
  intervalMs?: number;
  /** Proposals each step takes per pass. Default 100. */
  batchSize?: number;
  /** The service's metrics registry, for the worker's pass metrics. Default: a registry of its own. */
  registry?: Registry;
}

/** What one pass did. */
export interface ExecutionPass {
  closed: number;
  queued: number;
  executed: number;
  failed: number;
  expired: number;
  /** Executions that met a transient failure and stay queued for the next pass. */
  retrying: number;
}

/** The idempotency key of a proposal's execution, sent to the owner as the `idempotency-key` header. */
function executionKeyOf(proposalId: string): string {
  return `governance-proposal-${proposalId}`;
}

/**
 * Moves proposals on time: closes votes that reached their end (SUCCEEDED or DEFEATED, with the
 * outcome's leaf), queues passed ones (eta = now + timelock, expiry = eta + grace period), and
 * executes queued ones whose eta has come by calling the owner's RPC with service credentials.
 * Each step locks its rows (FOR UPDATE SKIP LOCKED) and changes them conditionally, so with
 * several instances each step happens once. An execution holds its proposal's lock, and a lock
 * on its policy, across the call: a transient failure (isTransientCode) leaves it queued for the
 * next pass, until the grace period ends it EXPIRED; a refusal is recorded as FAILED. The Set
 * RPCs take absolute values, so a call repeated after a crash before the commit changes nothing more.
 */
export function createExecutionWorker(options: ExecutionWorkerOptions): IntervalWorker<ExecutionPass> {
  const { db, owners, parameters, now, subject, logger } = options;
  const batchSize = options.batchSize ?? 100;

  const closeDue = () =>
    db.transaction(async (tx) => {
      const at = now();
      const due = await tx
        .select()
        .from(proposals)
        .where(and(eq(proposals.state, "open"), lte(proposals.voteEnd, at)))
        .orderBy(asc(proposals.voteEnd))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      if (due.length === 0) return 0;
      const closed = due.map(
        (row): ProposalRow => ({
          ...row,
          state: outcomeAtClose(
            { for: row.forVotes, against: row.againstVotes, abstain: row.abstainVotes, eligible: row.eligible },
            { quorumBps: row.quorumBps, thresholdBps: row.thresholdBps },
          ),
          closedAt: at,
        }),
      );
      const voters = await votersOf(
        tx,
        closed.map((row) => row.id),
      );
      for (const row of closed) await tx.update(proposals).set({ state: row.state, closedAt: at }).where(eq(proposals.id, row.id));
      await appendEvents(
        tx,
        closed.map((row) => proposalClosed(subject, row, voters.get(row.id)!, false, at)),
      );
      await appendToLog(
        tx,
        closed.map((row) => outcomeRecord(row, false)),
      );
      return closed.length;
    });

  const queuePassed = () =>
    db.transaction(async (tx) => {
      const at = now();
      const eta = new Date(at.getTime() + options.timelockMs);
      const expiresAt = new Date(eta.getTime() + options.gracePeriodMs);
      const queued = await tx
        .update(proposals)
        .set({ state: "queued", eta, expiresAt })
        .where(
          sql`${proposals.id} in (select id from ${proposals} where ${proposals.state} = 'succeeded' limit ${batchSize} for update skip locked)`,
        )
        .returning();
      if (queued.length === 0) return 0;
      const voters = await votersOf(
        tx,
        queued.map((row) => row.id),
      );
      await appendEvents(
        tx,
        queued.map((row) => proposalQueued(subject, row, voters.get(row.id)!, at)),
      );
      return queued.length;
    });

  /** Executes one queued proposal (if no other instance has it); says what became of it. */
  const executeOne = (id: string) =>
    db.transaction(async (tx): Promise<keyof ExecutionPass | undefined> => {
      const [row] = await tx
        .select()
        .from(proposals)
        .where(and(eq(proposals.id, id), eq(proposals.state, "queued")))
        .for("update", { skipLocked: true });
      if (row === undefined) return undefined;
      const spec = parameters.get(row.parameter)!;
      const finish = async (state: "executed" | "failed" | "expired", value: bigint, error: string) => {
        const at = now();
        const ended: ProposalRow = { ...row, state, endedAt: at, executionError: error };
        const voters = (await votersOf(tx, [row.id])).get(row.id)!;
        await tx.update(proposals).set({ state, endedAt: at, executionError: error }).where(eq(proposals.id, row.id));
        await appendEvents(tx, [executionEnded(subject, ended, voters, at)]);
        await appendToLog(tx, [executionRecord(ended, value)]);
        return state;
      };
      if (now() >= row.expiresAt!) {
        return finish("expired", row.newValue, row.executionError || "not executed within the grace period");
      }
      // Each parameter is a field of a policy set whole: executions on one policy take turns.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${spec.policy}))`);
      try {
        const value = await spec.write(owners, row.newValue, { headers: { "idempotency-key": executionKeyOf(row.id) } });
        return finish("executed", value, "");
      } catch (error) {
        const failure = ConnectError.from(error);
        if (isTransientCode(failure.code)) {
          logger.warn({ proposalId: row.id, code: Code[failure.code] }, "execution failed for now; retrying next pass");
          await tx
            .update(proposals)
            .set({
              executionAttempts: sql`${proposals.executionAttempts} + 1`,
              executionError: `${spec.ownerService} could not be reached (${Code[failure.code]}); retrying`,
            })
            .where(eq(proposals.id, row.id));
          return "retrying";
        }
        logger.warn({ proposalId: row.id, code: Code[failure.code], err: failure }, "owner refused the execution");
        return finish("failed", row.newValue, `${spec.ownerService} refused the new value (${Code[failure.code]}): ${failure.rawMessage}`);
      }
    });

  const executeDue = async (pass: ExecutionPass) => {
    const due = await db
      .select({ id: proposals.id })
      .from(proposals)
      .where(and(eq(proposals.state, "queued"), lte(proposals.eta, now())))
      .orderBy(asc(proposals.eta))
      .limit(batchSize);
    for (const { id } of due) {
      const outcome = await executeOne(id);
      if (outcome !== undefined && outcome !== "closed" && outcome !== "queued") pass[outcome] += 1;
    }
  };

  const run = async (): Promise<ExecutionPass> => {
    const pass: ExecutionPass = { closed: 0, queued: 0, executed: 0, failed: 0, expired: 0, retrying: 0 };
    pass.closed = await closeDue();
    pass.queued = await queuePassed();
    await executeDue(pass);
    if (pass.closed + pass.queued + pass.executed + pass.failed + pass.expired > 0) logger.info(pass, "governance worker pass");
    return pass;
  };

  return createIntervalWorker({
    name: "governance-execution",
    intervalMs: options.intervalMs ?? 1_000,
    firstRun: "immediately",
    run,
    logger,
    registry: options.registry,
  });
}
