import type { JetStreamManager, MsgHdrs } from "nats";

/** One stored message, as a test inspects it. */
export interface StoredEvent {
  seq: number;
  subject: string;
  headers: Record<string, string>;
  data: Uint8Array;
}

/** Every message a stream stores, read by sequence straight from the server (no consumer involved). */
export async function readStream(jsm: JetStreamManager, stream: string): Promise<StoredEvent[]> {
  const { state } = await jsm.streams.info(stream);
  const stored: StoredEvent[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq += 1) {
    const message = await jsm.streams.getMessage(stream, { seq });
    stored.push({ seq, subject: message.subject, headers: toRecord(message.header), data: message.data });
  }
  return stored;
}

function toRecord(headers: MsgHdrs): Record<string, string> {
  const record: Record<string, string> = {};
  for (const name of headers.keys()) record[name] = headers.get(name);
  return record;
}
