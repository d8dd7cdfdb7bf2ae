// Transfers benchmark (`npm run bench -- transfers`): P2P transfers by handle, end to end
// through a real in-process mesh (ledger + handles + transfers, each on its own HTTP/2 port,
// real Postgres, Redis and NATS): latency at a fixed 300/s, the most it sustains (closed loop),
// and a hot payee (everyone pays one merchant), with a bare echo RPC on the same runtime as the
// ceiling in the same run, and one transfer at a time for the latency of a lone transfer.
// Client, the three services, the echo server (one Node process) and Postgres, Redis and NATS
// share this machine's cores, so the ratio to the echo ceiling means more than the absolute
// figures.
import { randomUUID } from "node:crypto";
import { createClient, createContextKey, createContextValues, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { type LoadResult, report, runClosedLoop, runFixedRate } from "@paymesh/bench";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { EchoService } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { TransferService, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { handlesService } from "@paymesh/handles";
import { ledgerService } from "@paymesh/ledger";
import { createEchoService, createTestMesh, mintTestToken, startTestServer } from "@paymesh/testkit";
import { createTransfersService } from "./src/main.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PAYERS = 200;
const CONCURRENCY = 64;

/** Which user a call is made as: one connection for all of them, each call with its own token. */
const callerKey = createContextKey<string>("", { description: "the benchmark user making the call" });

export async function runBenchmark(): Promise<void> {
  const mesh = await createTestMesh();
  const echoServer = await startTestServer({ services: [{ service: EchoService, impl: createEchoService() }] });
  try {
    const quiet = { LOG_LEVEL: "warn" };
    const ledgerRunning = await mesh.start(ledgerService, quiet);
    const handlesRunning = await mesh.start(handlesService, quiet);
    const transfersRunning = await mesh.start(createTransfersService(), quiet);
    const ledger = mesh.client(LedgerService, ledgerRunning, { subject: "bench", role: "operator" });
    await mesh
      .client(TransferService, transfersRunning, { subject: "bench", role: "operator" })
      .setLimitPolicy({ policy: { currency: "USD", perTransactionMax: 10n ** 12n, dailyMax: 10n ** 13n, monthlyMax: 10n ** 14n } });

    // Funded wallets, each with a handle; one more is the merchant of the hot-payee run.
    const funding = randomUUID();
    await ledger.createAccount({
      id: funding,
      currency: "USD",
      owner: "bank",
      code: "funding",
      flags: { creditsMustNotExceedDebits: true },
    });
    const users: Array<{ subject: string; accountId: string; handle: string }> = [];
    const open = async (subject: string, handle: string) => {
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
      await mesh
        .client(HandleService, handlesRunning, { subject })
        .registerHandle({ handle, accountId, displayName: `Bench User ${subject}` });
      return { subject, accountId, handle };
    };
    for (let i = 0; i < PAYERS; i += 50) {
      users.push(
        ...(await Promise.all(Array.from({ length: Math.min(50, PAYERS - i) }, (_, j) => open(`bench-${i + j}`, `@bench-${i + j}`)))),
      );
    }
    const merchant = await open("bench-merchant", "@bench-merchant");

    const tokens = new Map<string, string>();
    for (const user of [...users, { subject: "bench" }]) tokens.set(user.subject, await mintTestToken(user.subject, "user", 3_600));
    const auth: Interceptor = (next) => async (req) => {
      req.header.set("authorization", `Bearer ${tokens.get(req.contextValues.get(callerKey))}`);
      return next(req);
    };
    const transfers = createClient(TransferService, createGrpcTransport({ baseUrl: transfersRunning.url, interceptors: [auth] }));
    const echo = createClient(EchoService, createGrpcTransport({ baseUrl: echoServer.url, interceptors: [auth] }));

    const pay = async (hotPayee: boolean) => {
      const payer = users[Math.floor(Math.random() * users.length)]!;
      let payee = hotPayee ? merchant : users[Math.floor(Math.random() * users.length)]!;
      while (payee === payer) payee = users[Math.floor(Math.random() * users.length)]!;
      const { transfer } = await transfers.createTransfer(
        {
          idempotencyKey: randomUUID(),
          fromAccountId: payer.accountId,
          to: { case: "toHandle", value: payee.handle },
          amount: 1n + BigInt(Math.floor(Math.random() * 5_000)),
          currency: "USD",
        },
        { contextValues: createContextValues().set(callerKey, payer.subject) },
      );
      if (transfer?.status !== TransferStatus.COMPLETED) throw new Error(`transfer ended ${TransferStatus[transfer?.status ?? 0]}`);
    };
    const asBench = () => ({ contextValues: createContextValues().set(callerKey, "bench") });

    const duration = SECONDS * 1000;
    // Warm up JIT, pools, caches and connections; not reported.
    await runClosedLoop({ name: "warm-up", concurrency: 16, durationMs: 3_000, op: () => pay(false) });
    await runClosedLoop({ name: "warm-up", concurrency: 16, durationMs: 1_000, op: () => echo.echo({ message: "hi" }, asBench()) });

    const results: LoadResult[] = [];
    results.push(
      await runClosedLoop({
        name: "echo RPC (ceiling)",
        concurrency: CONCURRENCY,
        durationMs: duration / 2,
        op: () => echo.echo({ message: "hi" }, asBench()),
      }),
    );
    results.push(
      await runClosedLoop({ name: "P2P by handle, one at a time", concurrency: 1, durationMs: duration / 2, op: () => pay(false) }),
    );
    results.push(await runFixedRate({ name: "P2P by handle @300/s", rate: 300, durationMs: duration, op: () => pay(false) }));
    results.push(await runClosedLoop({ name: "P2P by handle, max", concurrency: CONCURRENCY, durationMs: duration, op: () => pay(false) }));
    results.push(await runFixedRate({ name: "hot payee @300/s", rate: 300, durationMs: duration / 2, op: () => pay(true) }));
    results.push(await runClosedLoop({ name: "hot payee, max", concurrency: CONCURRENCY, durationMs: duration, op: () => pay(true) }));

    const uniform = results.find((r) => r.name === "P2P by handle, max")!;
    const hot = results.find((r) => r.name === "hot payee, max")!;
    const fixed = results.find((r) => r.name === "P2P by handle @300/s")!;
    report("transfers", results, "echo RPC (ceiling)", {
      goals: { p50Ms: 10, p99Ms: 50, atRate: 300, sustainedPerSecond: 800 },
      met: { p50: fixed.p50 < 10, p99: fixed.p99 < 50, sustained: uniform.throughput >= 800 },
      hotPayeeRatio: hot.throughput / uniform.throughput,
    });
    console.log(
      `goals: p50 < 10 ms (${fixed.p50.toFixed(2)}), p99 < 50 ms (${fixed.p99.toFixed(2)}) at 300/s; >= 800/s sustained (${uniform.throughput.toFixed(0)}/s); hot payee at ${((hot.throughput / uniform.throughput) * 100).toFixed(0)}% of uniform`,
    );
  } finally {
    await echoServer.stop();
    await mesh.stop();
  }
}
