import { rmSync } from "node:fs";
import { join } from "node:path";
import { runLoadProcess } from "@paymesh/bench";
import type { ServiceName } from "@paymesh/runtime";
import { connect } from "nats";
import postgres from "postgres";
import { checkMoney } from "./check-money.js";
import { checkProjections } from "./check-projections.js";
import { type CheckResult, checkResult } from "./check-result.js";
import { checkStreams } from "./check-streams.js";
import type { FaultScenario } from "./fault-scenario.js";
import { PAYMENT_LOAD, type PaymentLoadParams } from "./payment-load.js";
import type { PaymentLog } from "./payment-log.js";
import type { ScenarioResult } from "./scenario-result.js";
import { type DrillSeed, type SeedDrillOptions, seedDrill } from "./seed-drill.js";
import { type DrillMesh, type DrillProcess, startDrillMesh } from "./start-drill-mesh.js";
import { type PrivateInfra, startPrivateInfra } from "./start-private-infra.js";
import { summarizeAvailability } from "./summarize-availability.js";
import { waitUntilSettled } from "./wait-until-settled.js";
import { whenInterrupted } from "./when-interrupted.js";

export interface RunScenarioOptions {
  /** The scenario's logs go to `<logRoot>/<scenario>/` (emptied first). */
  logRoot: string;
  /** Load before the fault is injected. Default 6 000 ms. */
  beforeMs?: number;
  /** The whole measured window of load; what the fault leaves of it after its end is "after". Default 30 000 ms. */
  windowMs?: number;
  /** Payment clients, each one payment at a time. Default 16. */
  concurrency?: number;
  /** Default: seedDrill's. */
  seed?: SeedDrillOptions;
  /** See waitUntilSettled. Default 45 000 ms. */
  settleTimeoutMs?: number;
}

const SERVICES: ServiceName[] = ["ledger", "handles", "transfers"];

/** The processes of a mesh with `instances` of each service: instance n calls instance n of the others. */
function planProcesses(instances: 1 | 2): DrillProcess[] {
  if (instances === 1) return SERVICES.map((service) => ({ name: service, service }));
  return [1, 2].flatMap((n) =>
    SERVICES.map((service) => ({
      name: `${service}-${n}`,
      service,
      peers: Object.fromEntries(SERVICES.map((peer) => [peer, `${peer}-${n}`])),
    })),
  );
}

/**
 * One drill, start to end: private infrastructure, the mesh, seeded people, the payment load in a
 * process of its own with the fault injected `beforeMs` into it, then, once the mesh settled, every
 * check. Never throws: whatever fails is in the result, and everything it started is stopped.
 */
export async function runScenario(scenario: FaultScenario, options: RunScenarioOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const logDir = join(options.logRoot, scenario.name);
  rmSync(logDir, { recursive: true, force: true });
  const result: ScenarioResult = {
    scenario: scenario.name,
    fault: scenario.fault,
    ok: false,
    seconds: 0,
    faultFigures: {},
    checks: [],
    crashes: [],
    logDir,
  };
  let infra: PrivateInfra | undefined;
  let mesh: DrillMesh | undefined;
  const teardown = async () => {
    await mesh?.stop();
    await infra?.stop();
  };
  const forget = whenInterrupted(teardown);
  try {
    infra = await startPrivateInfra({ logDir });
    mesh = await startDrillMesh({ processes: planProcesses(scenario.instances ?? 1), env: { ...infra.env, ...scenario.env }, logDir });
    const seed = await seedDrill(mesh, options.seed);
    const windowMs = options.windowMs ?? 30_000;
    const params: PaymentLoadParams = {
      urls: mesh.processes.filter((p) => p.service === "transfers").map((p) => p.url),
      payers: seed.payers.map(({ subject, accountId, token }) => ({ subject, accountId, token })),
      payees: seed.payees.map((p) => p.handle),
    };
    let windowOpened: () => void = () => {};
    const opened = new Promise<number>((resolve) => {
      windowOpened = () => resolve(Date.now());
    });
    const loading = runLoadProcess(
      {
        name: scenario.name,
        module: PAYMENT_LOAD,
        scenario: "pay",
        params: params as unknown as Record<string, unknown>,
        ...(scenario.offeredPerSecond === undefined
          ? { mode: "closed-loop" as const, concurrency: options.concurrency ?? 16 }
          : { mode: "fixed-rate" as const, rate: scenario.offeredPerSecond }),
        durationMs: windowMs,
      },
      [],
      { onStart: () => windowOpened() },
    );
    const start = await Promise.race([opened, loading.then(() => Promise.reject(new Error("the load ended before its window opened")))]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + (options.beforeMs ?? 6_000) - Date.now())));
    const faultAt = Date.now();
    result.faultFigures = await scenario.inject({ mesh, infra }).catch((error: unknown) => ({ injectFailed: String(error) }));
    const restoredAt = Date.now();
    const end = start + windowMs;
    const readyAgain = waitAllReady(mesh, end).then((at) => at && at - restoredAt);
    const load = await loading;
    result.meshReadyAfterMs = await readyAgain;
    const log = load.record as PaymentLog;
    const finished = log.payments
      .filter((p) => p.outcome !== "GAVE_UP")
      .map((p) => p.endedAt - p.startedAt)
      .sort((a, b) => a - b);
    const at = (q: number) => finished[Math.min(finished.length - 1, Math.floor(q * finished.length))] ?? Number.NaN;
    result.payments = {
      total: log.payments.length,
      completed: log.payments.filter((p) => p.outcome === "COMPLETED").length,
      failed: log.payments.filter((p) => p.outcome === "FAILED").length,
      gaveUp: log.payments.filter((p) => p.outcome === "GAVE_UP").length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: finished.at(-1) ?? Number.NaN,
    };
    result.availability = summarizeAvailability(log, { start, faultAt, restoredAt, end });
    Object.assign(result, await check(mesh, infra, seed, log, options));
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    result.crashes = mesh?.crashes() ?? [];
    await teardown().catch((error: unknown) => {
      result.error ??= `teardown: ${String(error)}`;
    });
    forget();
  }
  result.checks.push(
    checkResult(
      "no process crashed",
      result.crashes.map((c) => `${c.process} exited (${c.signal ?? `code ${c.code}`}) unbidden; log ${c.log}`),
      "every exit was one the drill asked for",
    ),
  );
  result.ok = result.error === undefined && result.checks.every((c) => c.ok);
  result.seconds = (Date.now() - started) / 1000;
  return result;
}

/** Resolves with when every process answered ready, or undefined if they did not all by `until`. */
async function waitAllReady(mesh: DrillMesh, until: number): Promise<number | undefined> {
  while (Date.now() < until) {
    const ready = await Promise.all(mesh.processes.map((p) => p.ready()));
    if (ready.every(Boolean)) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

/** Waits for the mesh to settle, then runs every invariant against the databases and streams. */
async function check(
  mesh: DrillMesh,
  infra: PrivateInfra,
  seed: DrillSeed,
  log: PaymentLog,
  options: RunScenarioOptions,
): Promise<Pick<ScenarioResult, "settle" | "checks">> {
  const open = (service: ServiceName) => postgres(mesh.databaseUrl(service), { max: 2, onnotice: () => {} });
  const ledger = open("ledger");
  const transfers = open("transfers");
  const handles = open("handles");
  const nats = await connect({ servers: infra.env.NATS_URL, name: "drill-checks" });
  try {
    const settle = await waitUntilSettled({ ledger, transfers, handles, timeoutMs: options.settleTimeoutMs });
    const initiated = await transfers<{ id: string }[]>`select id::text from transfers where status = 'initiated'`;
    const checks: CheckResult[] = [
      checkResult(
        "no transfer left INITIATED",
        initiated.map((t) => `${t.id} still INITIATED`),
        settle.settledMs === undefined
          ? `none, but the wait ended with something still unsettled: ${JSON.stringify(settle.state)}`
          : `settled ${(settle.settledMs / 1000).toFixed(1)} s after the load`,
      ),
      ...(await checkMoney({ ledger, transfers, seed, payments: log.payments })),
      ...(await checkProjections({ env: infra.env, transfers })),
      ...(await checkStreams({ nats, ledger, transfers })),
    ];
    return { settle, checks };
  } finally {
    await nats.close();
    await Promise.all([ledger.end(), transfers.end(), handles.end()]);
  }
}
