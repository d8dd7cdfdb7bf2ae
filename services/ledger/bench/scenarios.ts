// The ledger benchmark's operations, run inside the load-generator process (see
// libs/bench/src/load-generator.ts) from parameters run-benchmark.ts passes.
import { randomUUID } from "node:crypto";
import { createBenchClient, type Scenario } from "@paymesh/bench";
import { subjectFor } from "@paymesh/events";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { createLogger } from "@paymesh/runtime";
import postgres from "postgres";
import { createPostingEngine } from "../src/create-posting-engine.js";

interface Params {
  accounts: string[];
  /** Every entry debits the first account (one hot account) instead of a random one. */
  hot?: boolean;
  /** Entries per call; 1 is PostEntry, more is one PostEntries call. */
  batch?: number;
  url?: string;
  token?: string;
  databaseUrl?: string;
  subjectPrefix?: string;
}

/** Two different accounts (the first one fixed when hot) and a random amount, in minor units. */
function entryMaker({ accounts, hot }: Params) {
  const pick = () => accounts[1 + Math.floor(Math.random() * (accounts.length - 1))]!;
  return () => {
    const debit = hot ? accounts[0]! : pick();
    let credit = pick();
    while (credit === debit) credit = pick();
    return { entryId: randomUUID(), debit, credit, amount: 1n + BigInt(Math.floor(Math.random() * 1000)) };
  };
}

export const scenarios: Record<string, Scenario> = {
  rpc(params) {
    const p = params as unknown as Params;
    const next = entryMaker(p);
    const client = createBenchClient(LedgerService, { baseUrl: p.url!, token: p.token! });
    const request = () => {
      const { entryId, debit, credit, amount } = next();
      return {
        entryId,
        lines: [
          { accountId: debit, amount, side: Side.DEBIT },
          { accountId: credit, amount, side: Side.CREDIT },
        ],
      };
    };
    const batch = p.batch ?? 1;
    if (batch === 1) return () => client.postEntry(request());
    return () => client.postEntries({ entries: Array.from({ length: batch }, request) });
  },

  /** The posting engine without the RPC layer, in this process: what group commit itself sustains. */
  engine(params) {
    const p = params as unknown as Params;
    const next = entryMaker(p);
    const engine = createPostingEngine({
      sql: postgres(p.databaseUrl!, { max: 4, onnotice: () => {} }),
      subject: (event) => subjectFor(p.subjectPrefix!, "ledger", event),
      logger: createLogger({ service: "bench-engine", level: "warn" }),
    });
    const command = () => {
      const { entryId, debit, credit, amount } = next();
      const entry = {
        id: entryId,
        lines: [
          { accountId: debit, amount, side: "debit" as const },
          { accountId: credit, amount, side: "credit" as const },
        ],
        memo: "",
        metadata: {},
        pending: false,
        pendingTimeoutSeconds: 0,
        linked: false,
      };
      return { kind: "post" as const, entry };
    };
    return () => engine.submit(Array.from({ length: p.batch ?? 100 }, command));
  },

  /**
   * The baseline: what a hand-rolled ledger does, one transaction per entry, locking both
   * accounts in id order, writing the entry, its lines, postings and balances.
   */
  naive(params) {
    const p = params as unknown as Params;
    const next = entryMaker(p);
    const sql = postgres(p.databaseUrl!, { max: 64, onnotice: () => {} });
    return () => {
      const { entryId, debit, credit, amount } = next();
      const lines = [
        { accountId: debit, side: "debit" as const },
        { accountId: credit, side: "credit" as const },
      ];
      const [first, second] = [debit, credit].sort();
      return sql.begin(async (tx) => {
        const locked =
          await tx`select id, debits_posted, credits_posted, sequence from accounts where id in (${first!}, ${second!}) order by id for update`;
        await tx`insert into entries (id, memo, metadata, pending, pending_timeout_seconds, status, created_at) values (${entryId}, '', '{}', false, 0, 'posted', now())`;
        await tx`insert into entry_lines (entry_id, line_index, account_id, amount, side, currency) values
          (${entryId}, 0, ${debit}, ${String(amount)}, 'debit', 'USD'), (${entryId}, 1, ${credit}, ${String(amount)}, 'credit', 'USD')`;
        for (const [i, line] of lines.entries()) {
          const row = locked.find((r) => r.id === line.accountId)!;
          const isDebit = line.side === "debit";
          await tx`insert into postings (account_id, sequence, entry_id, line_index, amount, side, debits_after, credits_after, posted_at) values
            (${line.accountId}, ${String(BigInt(row.sequence as string) + 1n)}, ${entryId}, ${i}, ${String(amount)}, ${line.side},
             ${String(BigInt(row.debits_posted as string) + (isDebit ? amount : 0n))}, ${String(BigInt(row.credits_posted as string) + (isDebit ? 0n : amount))}, now())`;
          await tx`update accounts set sequence = sequence + 1,
            debits_posted = debits_posted + ${isDebit ? String(amount) : "0"}, credits_posted = credits_posted + ${isDebit ? "0" : String(amount)}
            where id = ${line.accountId}`;
        }
      });
    };
  },
};
