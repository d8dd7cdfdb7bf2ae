import type { NatsConnection } from "nats";

/** One message of a stream as the checks need it. */
export interface StreamMessage {
  seq: number;
  subject: string;
  headers: Record<string, string>;
  data: Uint8Array;
}

/** Every message a stream holds now, in order, through an ordered (ephemeral) consumer. */
export async function readStream(nats: NatsConnection, stream: string): Promise<StreamMessage[]> {
  const jsm = await nats.jetstreamManager();
  const { state } = await jsm.streams.info(stream);
  const consumer = await nats.jetstream().consumers.get(stream);
  const messages: StreamMessage[] = [];
  while (messages.length < state.messages) {
    const batch = await consumer.fetch({ max_messages: Math.min(1_000, state.messages - messages.length), expires: 5_000 });
    const before = messages.length;
    for await (const m of batch) {
      const headers: Record<string, string> = {};
      for (const name of m.headers?.keys() ?? []) headers[name] = m.headers!.get(name);
      messages.push({ seq: m.seq, subject: m.subject, headers, data: m.data });
    }
    // Nothing more came within the fetch's expiry: what was read is all there is to read.
    if (messages.length === before) break;
  }
  await consumer.delete().catch(() => {});
  return messages;
}
