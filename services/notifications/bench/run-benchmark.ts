// The notifications part of `npm run bench`: ledger, transfers and notifications each in a
// process of their own (as `npm start` runs them), the load from another, and a bare EchoService
// on the same runtime as the ceiling, in one run. With 1,000 WatchNotifications streams open and
// transfers at 100/s: the time from a transfer's response to its notification on every one of
// the payee's streams (goal p99 < 250 ms); and webhook deliveries per second to a local receiver.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type BenchMesh,
  CEILING_SCENARIOS,
  createBenchClient,
  type MeasuredLoad,
  report,
  runLoadProcess,
  startBenchMesh,
} from "@paymesh/bench";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { NotificationService } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import type { BenchUser } from "./scenarios.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const USERS = 200;
const STREAMS_PER_USER = 5;
const RATE = 100;
const SCENARIOS = "services/notifications/bench/scenarios.ts";

/** A webhook receiver that answers 204 and counts arrivals, with each one's lag behind its notification. */
async function startReceiver() {
  const arrivals: Array<{ at: number; lagMs: number }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const { data } = JSON.parse(Buffer.concat(chunks).toString()) as { data: { createdAt: string } };
      arrivals.push({ at: Date.now(), lagMs: Date.now() - Date.parse(data.createdAt) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    close: () => new Promise((r) => server.close(r)),
  };
}

export async function runBenchmark(): Promise<void> {
  const mesh = await startBenchMesh({
    processes: [
      { service: "ledger" },
      { service: "transfers" },
      { service: "notifications", env: { NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE: "on" } },
    ],
  });
  const receiver = await startReceiver();
  try {
    const users = await seed(mesh);
    const durationMs = SECONDS * 1000;
    const results: MeasuredLoad[] = [];
    results.push(
      await runLoadProcess(
        {
          name: "ceiling: echo (max)",
          module: CEILING_SCENARIOS,
          scenario: "echo",
          mode: "closed-loop",
          concurrency: 32,
          durationMs: durationMs / 2,
          params: { url: mesh.ceilingUrl, token: await mesh.token("bench") },
        },
        mesh.cpuSources,
      ),
    );
    // Half the users get a webhook endpoint: each transfer to or from one is a delivery.
    for (const user of users.slice(0, USERS / 2)) {
      await createBenchClient(NotificationService, { baseUrl: mesh.urls.notifications!, token: user.token }).createWebhookEndpoint({
        url: receiver.url,
        eventTypes: [],
      });
    }
    const params = {
      transfersUrl: mesh.urls.transfers!,
      notificationsUrl: mesh.urls.notifications!,
      users,
      streamsPerUser: STREAMS_PER_USER,
      connections: 10,
    };
    const windowStart = Date.now();
    const alone = await runLoadProcess(
      {
        name: "transfer → payee's streams, one at a time",
        module: SCENARIOS,
        scenario: "payAndWatch",
        mode: "closed-loop",
        concurrency: 1,
        durationMs: durationMs / 2,
        warmupMs: 0,
        params,
      },
      mesh.cpuSources,
    );
    results.push(alone);
    const watched = await runLoadProcess(
      {
        name: `transfer → payee's streams @${RATE}/s`,
        module: SCENARIOS,
        scenario: "payAndWatch",
        mode: "fixed-rate",
        rate: RATE,
        // Each operation waits for its notification: a slow one shows in the tail, not as a dropped start.
        maxInFlight: RATE * 30,
        durationMs,
        warmupMs: 0,
        params,
      },
      mesh.cpuSources,
    );
    results.push(watched);
    const max = await runLoadProcess(
      {
        name: "transfer → payee's streams (max)",
        module: SCENARIOS,
        scenario: "payAndWatch",
        mode: "closed-loop",
        concurrency: 32,
        durationMs,
        warmupMs: 0,
        params,
      },
      mesh.cpuSources,
    );
    results.push(max);
    // Let the queue drain, then read the receiver's figures over the whole time deliveries flowed.
    let last = -1;
    while (receiver.arrivals.length !== last) {
      last = receiver.arrivals.length;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const during = receiver.arrivals.filter((a) => a.at >= windowStart);
    const span = during.length < 2 ? Number.NaN : (during.at(-1)!.at - during[0]!.at) / 1000;
    const lags = during.map((a) => a.lagMs).sort((a, b) => a - b);
    const lagAt = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? Number.NaN;
    const webhooks = { delivered: during.length, perSecond: during.length / span, lagP50Ms: lagAt(0.5), lagP99Ms: lagAt(0.99) };
    const notified = watched.record as { streams: number; notified: number; p50: number; p99: number; max: number };
    report("notifications", results, "ceiling: echo (max)", {
      goals: { p99Ms: 250, atRate: RATE, streams: USERS * STREAMS_PER_USER },
      notification: notified,
      notificationAlone: alone.record,
      notificationAtMax: max.record,
      webhooks,
      met: { p99: notified.p99 < 250 },
    });
    console.log(
      `notification on the payee's ${STREAMS_PER_USER} streams (${notified.streams} open) after the transfer's response at ${RATE}/s: ` +
        `p50 ${notified.p50.toFixed(1)} ms, p99 ${notified.p99.toFixed(1)} ms, max ${notified.max.toFixed(1)} ms over ${notified.notified} transfers (goal p99 < 250 ms)`,
    );
    const single = alone.record as typeof notified;
    console.log(
      `one transfer at a time (${single.notified}): p50 ${single.p50.toFixed(1)} ms, p99 ${single.p99.toFixed(1)} ms; ` +
        `at the most 32 clients manage (${max.throughput.toFixed(0)}/s): p50 ${(max.record as typeof notified).p50.toFixed(1)} ms, p99 ${(max.record as typeof notified).p99.toFixed(1)} ms`,
    );
    console.log(
      `webhooks: ${webhooks.delivered} delivered to a local receiver, ${webhooks.perSecond.toFixed(0)}/s while transfers ran; ` +
        `lag behind the notification p50 ${webhooks.lagP50Ms} ms, p99 ${webhooks.lagP99Ms} ms`,
    );
  } finally {
    await receiver.close();
    await mesh.stop();
  }
}

/** Funded USD wallets (paid by account: the directory is not what this measures). */
async function seed(mesh: BenchMesh): Promise<BenchUser[]> {
  const operator = await mesh.token("bench", "operator");
  const ledger = createBenchClient(LedgerService, { baseUrl: mesh.urls.ledger!, token: operator });
  await createBenchClient(TransferService, { baseUrl: mesh.urls.transfers!, token: operator }).setLimitPolicy({
    policy: { currency: "USD", perTransactionMax: 10n ** 12n, dailyMax: 10n ** 13n, monthlyMax: 10n ** 14n },
  });
  const funding = randomUUID();
  await ledger.createAccount({ id: funding, currency: "USD", owner: "bank", code: "funding", flags: { creditsMustNotExceedDebits: true } });
  const open = async (subject: string): Promise<BenchUser> => {
    const accountId = randomUUID();
    await ledger.createAccount({
      id: accountId,
      currency: "USD",
      owner: subject,
      code: "wallet",
      flags: { debitsMustNotExceedCredits: true },
    });
    await ledger.postEntry({
      entryId: randomUUID(),
      lines: [
        { accountId: funding, amount: 10n ** 9n, side: Side.DEBIT },
        { accountId, amount: 10n ** 9n, side: Side.CREDIT },
      ],
    });
    return { subject, accountId, token: await mesh.token(subject) };
  };
  const users: BenchUser[] = [];
  for (let i = 0; i < USERS; i += 50) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(50, USERS - i) }, (_, j) => open(`bench-${i + j}`)))));
  }
  return users;
}
