import type { Sql } from "postgres";
import { Gauge, type Registry } from "prom-client";
import type { Clock } from "./clock.js";

/**
 * `governance_proposals{state}`: proposals by state, read from the database when Prometheus
 * scrapes (every instance reports the same figures: use max, not sum). An open proposal is
 * `pending` before its vote starts and `active` after, by the service's clock, as GetProposal
 * shows it; a database that is away leaves the gauge without samples for that scrape.
 */
export function registerProposalMetrics(registry: Registry, sql: Sql, now: Clock): void {
  new Gauge({
    name: "governance_proposals",
    help: "Proposals by state (pending, active, succeeded, defeated, queued, executed, failed, expired, canceled).",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const rows = await sql<{ state: string; proposals: number }[]>`
          select case when state = 'open' then (case when vote_start > ${now().toISOString()}::timestamptz then 'pending' else 'active' end) else state end as state,
                 count(*)::int as proposals
          from proposals group by 1`;
        for (const row of rows) this.set({ state: row.state }, row.proposals);
      } catch {
        // The database is away: no samples this scrape.
      }
    },
  });
}
