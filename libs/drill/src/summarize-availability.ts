import type { PaymentLog } from "./payment-log.js";

/** The measured window cut in three, wall-clock milliseconds: before the fault, during it, after it. */
export interface Phases {
  start: number;
  /** When the fault was injected. */
  faultAt: number;
  /** When it was over: the process ready again, the server back. */
  restoredAt: number;
  end: number;
}

type PhaseName = "before" | "during" | "after";

/** What the payment clients saw, reported, never asserted. */
export interface Availability {
  /** How long each phase lasted. */
  seconds: Record<PhaseName, number>;
  /** The longest time without a final answer (COMPLETED or FAILED) from any client, window edges included. */
  longestGapMs: number;
  /** Where that gap began, relative to the fault (negative: before it). */
  longestGapStartsMs: number;
  /** From the fault's end to the first final answer after it; undefined when none came. */
  firstFinalAfterRestoreMs: number | undefined;
  /** Answers by transfer status or error code, per phase. */
  answers: Record<PhaseName, Record<string, number>>;
  /** COMPLETED answers per second, per phase. */
  completedPerSecond: Record<PhaseName, number>;
  /** Payments whose clients gave up (never got a final answer). */
  gaveUp: number;
  /** Payments that needed more than one attempt. */
  retried: number;
}

/** Availability figures of one drill from the load's own record. */
export function summarizeAvailability(log: PaymentLog, phases: Phases): Availability {
  const bounds: Record<PhaseName, [number, number]> = {
    before: [phases.start, phases.faultAt],
    during: [phases.faultAt, phases.restoredAt],
    after: [phases.restoredAt, phases.end],
  };
  const phaseOf = (t: number) => (Object.keys(bounds) as PhaseName[]).find((name) => t >= bounds[name][0] && t < bounds[name][1]);
  const answers: Availability["answers"] = { before: {}, during: {}, after: {} };
  const finals = [phases.start];
  for (const [t, outcome] of log.answers) {
    const phase = phaseOf(t);
    if (phase === undefined) continue;
    answers[phase][outcome] = (answers[phase][outcome] ?? 0) + 1;
    if (outcome === "COMPLETED" || outcome === "FAILED") finals.push(t);
  }
  finals.push(phases.end);
  finals.sort((a, b) => a - b);
  let longestGapMs = 0;
  let longestGapStartsMs = 0;
  for (let i = 1; i < finals.length; i++) {
    if (finals[i]! - finals[i - 1]! > longestGapMs) {
      longestGapMs = finals[i]! - finals[i - 1]!;
      longestGapStartsMs = finals[i - 1]! - phases.faultAt;
    }
  }
  const firstAfter = finals.find((t) => t >= phases.restoredAt && t < phases.end);
  const seconds = (phase: PhaseName) => (bounds[phase][1] - bounds[phase][0]) / 1000;
  const perSecond = (phase: PhaseName) => (seconds(phase) > 0 ? (answers[phase].COMPLETED ?? 0) / seconds(phase) : 0);
  return {
    seconds: { before: seconds("before"), during: seconds("during"), after: seconds("after") },
    longestGapMs,
    longestGapStartsMs,
    firstFinalAfterRestoreMs: firstAfter === undefined ? undefined : firstAfter - phases.restoredAt,
    answers,
    completedPerSecond: { before: perSecond("before"), during: perSecond("during"), after: perSecond("after") },
    gaveUp: log.payments.filter((p) => p.outcome === "GAVE_UP").length,
    retried: log.payments.filter((p) => p.attempts > 1).length,
  };
}
