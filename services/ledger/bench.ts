// Ledger benchmark (`npm run bench -- ledger`): posting throughput through the real
// service over HTTP/2, against a naive one-transaction-per-entry SQL baseline on the same
// tables in the same run. Everything runs on this machine: client, service and Postgres
// share its cores, so ratios mean more than absolute figures.
import { randomUUID } from "node:crypto";
import { type LoadResult, report, runClosedLoop } from "@paymesh/bench";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { createTestMesh } from "@paymesh/testkit";
import { createPostingEngine } from "./src/create-posting-engine.js";
import { ledgerService } from "./src/main.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ACCOUNTS = 1_000;

export async function runBenchmark(): Promise<void> {
  const mesh = await createTestMesh();
  try {
    const ledger = await mesh.start(ledgerService, { LOG_LEVEL: "warn" });
    const client = mesh.client(LedgerService, ledger, { subject: "bench", role: "service" });
    const sql = ledger.context.database.sql;

    // Accounts without balance flags, so any pairing is valid and every entry is accepted.
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i += 100) {
      const created = await Promise.all(Array.from({ length: 100 }, () => client.createAccount({ currency: "USD", owner: "bench" })));
      accounts.push(...created.map((r) => r.account!.id));
    }
    const hot = accounts[0]!;
    const pick = () => accounts[1 + Math.floor(Math.random() * (accounts.length - 1))]!;
    const pair = (hotAccount: boolean) => {
      const a = hotAccount ? hot : pick();
      let b = pick();
      while (b === a) b = pick();
      return [a, b] as const;
    };
    const entry = (hotAccount: boolean) => {
      const [debit, credit] = pair(hotAccount);
      return {
        entryId: randomUUID(),
        lines: [
          { accountId: debit, amount: 1n + BigInt(Math.floor(Math.random() * 1000)), side: Side.DEBIT },
          { accountId: credit, amount: 0n, side: Side.CREDIT },
        ].map((line, _i, lines) => ({ ...line, amount: lines[0]!.amount })),
      };
    };
    const duration = SECONDS * 1000;
    const results: LoadResult[] = [];

    // The baseline: what a hand-rolled ledger does, one transaction per entry, locking
    // both accounts in id order, writing the entry, its lines, postings and balances.
    results.push(
      await runClosedLoop({
        name: "naive SQL, 1 tx/entry",
        concurrency: 64,
        durationMs: duration,
        op: () => {
          const { entryId, lines } = entry(false);
          const [first, second] = [lines[0]!.accountId, lines[1]!.accountId].sort();
          const amount = String(lines[0]!.amount);
          return sql.begin(async (tx) => {
            const locked =
              await tx`select id, debits_posted, credits_posted, sequence from accounts where id in (${first!}, ${second!}) order by id for update`;
            await tx`insert into entries (id, memo, metadata, pending, pending_timeout_seconds, status, created_at) values (${entryId}, '', '{}', false, 0, 'posted', now())`;
            await tx`insert into entry_lines (entry_id, line_index, account_id, amount, side, currency) values
              (${entryId}, 0, ${lines[0]!.accountId}, ${amount}, 'debit', 'USD'), (${entryId}, 1, ${lines[1]!.accountId}, ${amount}, 'credit', 'USD')`;
            for (const [i, line] of lines.entries()) {
              const row = locked.find((r) => r.id === line.accountId)!;
              const debit = i === 0;
              await tx`insert into postings (account_id, sequence, entry_id, line_index, amount, side, debits_after, credits_after, posted_at) values
                (${line.accountId}, ${String(BigInt(row.sequence as string) + 1n)}, ${entryId}, ${i}, ${amount}, ${debit ? "debit" : "credit"},
                 ${String(BigInt(row.debits_posted as string) + (debit ? line.amount : 0n))}, ${String(BigInt(row.credits_posted as string) + (debit ? 0n : line.amount))}, now())`;
              await tx`update accounts set sequence = sequence + 1,
                debits_posted = debits_posted + ${debit ? amount : "0"}, credits_posted = credits_posted + ${debit ? "0" : amount}
                where id = ${line.accountId}`;
            }
          });
        },
      }),
    );
    // The engine without the RPC layer: what group commit itself sustains on this machine,
    // to tell the cost of the journal apart from the cost of a call.
    const engine = createPostingEngine({ sql, subject: ledger.context.subject, logger: ledger.context.logger });
    const command = (hotAccount: boolean) => {
      const { entryId, lines } = entry(hotAccount);
      return {
        kind: "post" as const,
        entry: {
          id: entryId,
          lines: lines.map((line) => ({
            accountId: line.accountId,
            amount: line.amount,
            side: line.side === Side.DEBIT ? ("debit" as const) : ("credit" as const),
          })),
          memo: "",
          metadata: {},
          pending: false,
          pendingTimeoutSeconds: 0,
          linked: false,
        },
      };
    };
    results.push(
      await runClosedLoop({
        name: "engine only ×100 (no RPC)",
        concurrency: 8,
        itemsPerOp: 100,
        durationMs: duration,
        op: () => engine.submit(Array.from({ length: 100 }, () => command(false))),
      }),
    );
    results.push(
      await runClosedLoop({ name: "PostEntry c=64", concurrency: 64, durationMs: duration, op: () => client.postEntry(entry(false)) }),
    );
    results.push(
      await runClosedLoop({
        name: "PostEntries ×100",
        concurrency: 8,
        itemsPerOp: 100,
        durationMs: duration,
        op: () => client.postEntries({ entries: Array.from({ length: 100 }, () => entry(false)) }),
      }),
    );
    results.push(
      await runClosedLoop({
        name: "PostEntries ×100, hot account",
        concurrency: 8,
        itemsPerOp: 100,
        durationMs: duration,
        op: () => client.postEntries({ entries: Array.from({ length: 100 }, () => entry(true)) }),
      }),
    );
    results.push(
      await runClosedLoop({
        name: "PostEntry c=64, hot account",
        concurrency: 64,
        durationMs: duration,
        op: () => client.postEntry(entry(true)),
      }),
    );

    const drainStart = performance.now();
    while ((await ledger.context.database.sql`select count(*)::int as n from outbox where published_at is null`)[0]!.n > 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const outboxDrainSeconds = (performance.now() - drainStart) / 1000;

    const rate = (name: string) => {
      const r = results.find((x) => x.name === name)!;
      return r.throughput * r.itemsPerOp;
    };
    const goals = {
      batchEntriesPerSecond: rate("PostEntries ×100"),
      batchVsBaseline: rate("PostEntries ×100") / rate("naive SQL, 1 tx/entry"),
      engineOnlyEntriesPerSecond: rate("engine only ×100 (no RPC)"),
      hotVsUniformBatch: rate("PostEntries ×100, hot account") / rate("PostEntries ×100"),
      hotVsUniformSingle: rate("PostEntry c=64, hot account") / rate("PostEntry c=64"),
      outboxDrainSecondsAfterRun: outboxDrainSeconds,
    };
    report("ledger", results, "naive SQL, 1 tx/entry", { goals });
    console.log(goals);
  } finally {
    await mesh.stop();
  }
}
