import type { ScenarioResult } from "./scenario-result.js";

const seconds = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? "-" : `${(ms / 1000).toFixed(1)} s`);
const aroundFault = (ms: number) => `${seconds(Math.abs(ms))} ${ms < 0 ? "before" : "after"} the fault began`;

/** One drill's result for a person at a terminal: the fault, the availability figures by phase, every check. */
export function printScenario(result: ScenarioResult): void {
  console.log(`\n=== ${result.scenario}: ${result.ok ? "PASS" : "FAIL"} (${result.seconds.toFixed(0)} s) — ${result.fault}`);
  if (result.error !== undefined) console.log(`could not run to its end: ${result.error}`);
  const figures = Object.entries(result.faultFigures).map(
    ([name, value]) => `${name} ${typeof value === "number" ? seconds(value) : value}`,
  );
  console.log(`fault: ${figures.join(", ") || "-"}; every process ready again ${seconds(result.meshReadyAfterMs)} after it`);
  const { payments, availability } = result;
  if (payments !== undefined) {
    console.log(
      `payments: ${payments.total} (${payments.completed} completed, ${payments.failed} failed, ${payments.gaveUp} given up); ` +
        `end to end with retries p50 ${seconds(payments.p50Ms)}, p99 ${seconds(payments.p99Ms)}, max ${seconds(payments.maxMs)}`,
    );
  }
  if (availability !== undefined) {
    console.table(
      (["before", "during", "after"] as const).map((phase) => ({
        phase,
        seconds: availability.seconds[phase].toFixed(1),
        "completed/s": availability.completedPerSecond[phase].toFixed(1),
        answers: Object.entries(availability.answers[phase])
          .sort(([, a], [, b]) => b - a)
          .map(([code, n]) => `${code} ${n}`)
          .join(", "),
      })),
    );
    console.log(
      `longest gap without a final answer ${seconds(availability.longestGapMs)} (from ${aroundFault(availability.longestGapStartsMs)}); ` +
        `first final answer ${seconds(availability.firstFinalAfterRestoreMs)} after the fault ended; ${availability.retried} payments retried`,
    );
  }
  console.table(result.checks.map((c) => ({ check: c.check, ok: c.ok ? "yes" : "NO", detail: c.detail.join("; ").slice(0, 160) })));
  if (!result.ok) console.log(`logs: ${result.logDir}`);
}
