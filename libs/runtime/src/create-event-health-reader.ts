import type { JetStreamManager } from "nats";
import type { Sql } from "postgres";
import { withDeadline } from "./with-deadline.js";

/** A durable consumer a service runs, on the stream it consumes. */
export interface DurableConsumer {
  readonly stream: string;
  readonly durable: string;
}

interface OutboxBacklog {
  /** Events written to the outbox and not yet acknowledged by JetStream. */
  readonly pending: number;
  /** Seconds the oldest of them has waited; 0 when none waits. */
  readonly oldestAgeSeconds: number;
}

/** A durable consumer's lag, or why JetStream did not say. */
export type ConsumerLagReading = DurableConsumer &
  ({ readonly known: true; readonly pending: number; readonly ackPending: number } | { readonly known: false; readonly reason: string });

export interface EventHealthReader {
  outbox(): Promise<OutboxBacklog>;
  /** Parked events by consumer name, for consumers with any. */
  parked(): Promise<Array<{ consumer: string; parked: number }>>;
  /** Every consumer's lag, in the order `consumers()` lists them; never rejects. */
  consumers(): Promise<ConsumerLagReading[]>;
}

export interface EventHealthReaderOptions {
  /** The service's database, holding its `outbox` and `parked_events`. */
  sql: Sql;
  jsm: JetStreamManager;
  /** The durable consumers the service runs (its projections), read at each call. */
  consumers(): readonly DurableConsumer[];
  /**
   * How long to wait for JetStream to describe a consumer. Default 500 ms: metrics and the
   * operations RPC must answer even while NATS is away; that consumer is then unknown.
   */
  natsTimeoutMs?: number;
}

/**
 * What an operator watches of a service's events, read from its database and JetStream: the one
 * reader behind both the event metrics and the operations RPC, so the two never disagree.
 */
export function createEventHealthReader(options: EventHealthReaderOptions): EventHealthReader {
  const { sql, jsm } = options;
  const natsTimeoutMs = options.natsTimeoutMs ?? 500;
  return {
    async outbox() {
      // One statement, so the count and the age describe the same rows.
      const [row] = await sql<{ pending: number; age: number | null }[]>`
        select count(*)::int as pending, extract(epoch from now() - min(created_at))::float8 as age
          from outbox where published_at is null`;
      return { pending: row?.pending ?? 0, oldestAgeSeconds: row?.age ?? 0 };
    },
    parked: () =>
      sql<{ consumer: string; parked: number }[]>`
        select consumer, count(*)::int as parked from parked_events group by consumer order by consumer`,
    consumers: () =>
      Promise.all(
        options.consumers().map(async ({ stream, durable }): Promise<ConsumerLagReading> => {
          try {
            const info = await withDeadline(jsm.consumers.info(stream, durable), natsTimeoutMs, "JetStream consumer info");
            return { stream, durable, known: true, pending: info.num_pending, ackPending: info.num_ack_pending };
          } catch (error) {
            return { stream, durable, known: false, reason: error instanceof Error ? error.message : String(error) };
          }
        }),
      ),
  };
}
