import type { JetStreamManager } from "nats";
import type { Sql } from "postgres";
import { Gauge, type Registry } from "prom-client";
import { withDeadline } from "./with-deadline.js";

export interface EventMetricsOptions {
  registry: Registry;
  /** The service's database, holding its `outbox` and `parked_events`. */
  sql: Sql;
  jsm: JetStreamManager;
  /** The durable consumers the service runs (its projections), read at each scrape. */
  consumers(): ReadonlyArray<{ stream: string; durable: string }>;
  /**
   * How long a scrape waits for JetStream to describe a consumer. Default 500 ms: a scrape must
   * answer even while NATS is away (the gauge then has no sample, rather than a stale one).
   */
  natsTimeoutMs?: number;
}

/**
 * What an operator watches of a service's events, read when Prometheus scrapes:
 * - `outbox_oldest_pending_age_seconds`: how long the oldest unpublished event has waited (0 when
 *   none wait): a stuck relay shows as a rising line long before the backlog is large;
 * - `events_parked{consumer}`: events a consumer gave up on, waiting for an operator;
 * - `consumer_pending_messages{durable}` and `consumer_ack_pending_messages{durable}`: a
 *   projection's lag, from JetStream (not yet delivered; delivered and not yet acknowledged).
 * A source that does not answer leaves its gauge without samples for that scrape.
 */
export function registerEventMetrics(options: EventMetricsOptions): void {
  const { registry, sql, jsm } = options;
  const natsTimeoutMs = options.natsTimeoutMs ?? 500;
  new Gauge({
    name: "outbox_oldest_pending_age_seconds",
    help: "Seconds the oldest event written to the outbox has waited to be published (0 when none waits).",
    registers: [registry],
    async collect() {
      try {
        const [row] = await sql<{ age: number | null }[]>`
          select extract(epoch from now() - min(created_at))::float8 as age from outbox where published_at is null`;
        this.set(row?.age ?? 0);
      } catch {
        this.reset();
      }
    },
  });
  new Gauge({
    name: "events_parked",
    help: "Events a consumer parked after failing to apply them, by consumer, until an operator acts.",
    labelNames: ["consumer"],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const rows = await sql<{ consumer: string; parked: number }[]>`
          select consumer, count(*)::int as parked from parked_events group by consumer`;
        for (const row of rows) this.set({ consumer: row.consumer }, row.parked);
      } catch {
        // The database is away: no samples this scrape.
      }
    },
  });
  // Prometheus reads both consumer gauges in one scrape, concurrently: they share one request per
  // consumer instead of asking JetStream twice.
  let described: Promise<Array<{ durable: string; pending: number; ackPending: number } | undefined>> | undefined;
  const consumerInfo = () => {
    described ??= describeConsumers().finally(() => {
      described = undefined;
    });
    return described;
  };
  const describeConsumers = () =>
    Promise.all(
      options.consumers().map(async ({ stream, durable }) => {
        try {
          const info = await withDeadline(jsm.consumers.info(stream, durable), natsTimeoutMs, "consumer info");
          return { durable, pending: info.num_pending, ackPending: info.num_ack_pending };
        } catch {
          return undefined;
        }
      }),
    );
  new Gauge({
    name: "consumer_pending_messages",
    help: "Messages on the stream a durable consumer has not been delivered yet: its lag.",
    labelNames: ["durable"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const info of await consumerInfo()) if (info !== undefined) this.set({ durable: info.durable }, info.pending);
    },
  });
  new Gauge({
    name: "consumer_ack_pending_messages",
    help: "Messages delivered to a durable consumer and not yet acknowledged (being applied, or stuck).",
    labelNames: ["durable"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const info of await consumerInfo()) if (info !== undefined) this.set({ durable: info.durable }, info.ackPending);
    },
  });
}
