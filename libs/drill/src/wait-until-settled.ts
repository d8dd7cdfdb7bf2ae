import type postgres from "postgres";

/** What is still on its way after the load stopped; all zero once the mesh has settled. */
export interface Unsettled {
  /** Transfers still INITIATED (recovery settles them). */
  initiated: number;
  /** Outbox rows not yet acknowledged by JetStream, in the three services' databases. */
  unpublished: number;
  /** Postings the statement projection has not applied yet. */
  statementBehind: number;
  /** Transfer history rows missing or not yet at their transfer's status. */
  historyBehind: number;
}

export interface WaitUntilSettledOptions {
  ledger: postgres.Sql;
  transfers: postgres.Sql;
  handles: postgres.Sql;
  /** Default 45 000 ms: recovery takes over after 10 s, and a relay backs off up to 30 s after an outage. */
  timeoutMs?: number;
}

/**
 * Polls the databases until nothing is in flight (see Unsettled) or the time is up, so the checks
 * judge the state the mesh settles in, not one it is still moving through. Resolves with the last
 * state seen and how long it took (undefined when it never settled); a database that does not
 * answer counts as unsettled.
 */
export async function waitUntilSettled(
  options: WaitUntilSettledOptions,
): Promise<{ settledMs: number | undefined; state: Unsettled | string }> {
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 45_000);
  let state: Unsettled | string = "not read yet";
  while (Date.now() < deadline) {
    try {
      state = await read(options);
      if (Object.values(state).every((n) => n === 0)) return { settledMs: Date.now() - started, state };
    } catch (error) {
      state = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { settledMs: undefined, state };
}

async function read({ ledger, transfers, handles }: WaitUntilSettledOptions): Promise<Unsettled> {
  const unpublished = async (sql: postgres.Sql) =>
    (await sql<{ n: number }[]>`select count(*)::int as n from outbox where published_at is null`)[0]!.n;
  const [t] = await transfers<{ initiated: number; history_behind: number }[]>`
    select (select count(*)::int from transfers where status = 'initiated') as initiated,
           (select count(*)::int from transfers t
              cross join lateral (select t.payer union select t.payee where t.payee <> '') p(participant)
              left join transfer_history h on h.participant = p.participant and h.transfer_id = t.id
              where h.status is distinct from t.status) as history_behind`;
  const [l] = await ledger<{ behind: number }[]>`
    select (select count(*)::int from postings) - (select count(*)::int from statement_lines) as behind`;
  return {
    initiated: t!.initiated,
    unpublished: (await unpublished(ledger)) + (await unpublished(transfers)) + (await unpublished(handles)),
    statementBehind: l!.behind,
    historyBehind: t!.history_behind,
  };
}
