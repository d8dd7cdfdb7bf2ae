import { Gauge, type Registry } from "prom-client";
import type { ConsumerLagReading, EventHealthReader } from "./create-event-health-reader.js";

export interface EventMetricsOptions {
  registry: Registry;
  /** Reads the service's outbox, parked events and consumers, as the operations RPC does. */
  reader: EventHealthReader;
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
export function registerEventMetrics({ registry, reader }: EventMetricsOptions): void {
  new Gauge({
    name: "outbox_oldest_pending_age_seconds",
    help: "Seconds the oldest event written to the outbox has waited to be published (0 when none waits).",
    registers: [registry],
    async collect() {
      try {
        this.set((await reader.outbox()).oldestAgeSeconds);
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
        for (const row of await reader.parked()) this.set({ consumer: row.consumer }, row.parked);
      } catch {
        // The database is away: no samples this scrape.
      }
    },
  });
  // Prometheus reads both consumer gauges in one scrape, concurrently: they share one request per
  // consumer instead of asking JetStream twice.
  let described: Promise<ConsumerLagReading[]> | undefined;
  const consumerLag = () => {
    described ??= reader.consumers().finally(() => {
      described = undefined;
    });
    return described;
  };
  new Gauge({
    name: "consumer_pending_messages",
    help: "Messages on the stream a durable consumer has not been delivered yet: its lag.",
    labelNames: ["durable"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const lag of await consumerLag()) if (lag.known) this.set({ durable: lag.durable }, lag.pending);
    },
  });
  new Gauge({
    name: "consumer_ack_pending_messages",
    help: "Messages delivered to a durable consumer and not yet acknowledged (being applied, or stuck).",
    labelNames: ["durable"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const lag of await consumerLag()) if (lag.known) this.set({ durable: lag.durable }, lag.ackPending);
    },
  });
}
