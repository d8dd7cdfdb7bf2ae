import { AckPolicy, type ConsumerInfo, DeliverPolicy, type JetStreamManager, nanos } from "nats";
import { apiErrorCode } from "./api-error-code.js";

/** The server refuses to create over an existing consumer with other settings (2.10+) with these codes. */
const CONSUMER_EXISTS = new Set([10013, 10148]);

/** Options for {@link declareConsumer}. */
export interface DeclareConsumerOptions {
  stream: string;
  durable: string;
  /** Subjects to receive; empty receives the whole stream. More than one needs nats-server 2.10+. */
  filterSubjects: string[];
  ackWaitMs: number;
  maxAckPending: number;
}

/**
 * Declares a durable pull consumer idempotently: creates it, or brings an existing one's
 * settings up to date. Explicit acks; delivery starts at the stream's first message, so a new
 * projection builds itself from all history.
 *
 * The server's own max_deliver stays unlimited on purpose: at its limit the server silently
 * stops delivering a message (an advisory is all that remains), whereas the consumer runner
 * counts deliveries itself and parks the message in the database, where nothing is lost.
 */
export async function declareConsumer(
  jsm: JetStreamManager,
  { stream, durable, filterSubjects, ackWaitMs, maxAckPending }: DeclareConsumerOptions,
): Promise<ConsumerInfo> {
  const settings = {
    ack_wait: nanos(ackWaitMs),
    max_deliver: -1,
    max_ack_pending: maxAckPending,
    ...(filterSubjects.length === 1 ? { filter_subject: filterSubjects[0] } : {}),
    ...(filterSubjects.length > 1 ? { filter_subjects: filterSubjects } : {}),
  };
  try {
    return await jsm.consumers.add(stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...settings,
    });
  } catch (error) {
    const code = apiErrorCode(error);
    if (code === undefined || !CONSUMER_EXISTS.has(code)) throw error;
    return jsm.consumers.update(stream, durable, settings);
  }
}
