/** An event as a consumer handler receives it. */
export interface ReceivedEvent {
  /** The event id (the outbox row's id, sent as `Nats-Msg-Id`). */
  id: string;
  /** Fully-qualified protobuf type name of `payload`. */
  type: string;
  subject: string;
  /** The protobuf-encoded message; see decodeEvent. */
  payload: Uint8Array;
  /** Every NATS header it carried, including `traceparent` when the appender had a span. */
  headers: Record<string, string>;
  /** This delivery's number, 1 for the first. */
  deliveries: number;
  /** Its position in the stream, for logs and replay tooling. */
  streamSequence: number;
}
