/** NATS header names an event travels with. */
export const EventHeaders = {
  /** JetStream's de-duplication header; we set it to the event id. */
  id: "Nats-Msg-Id",
  /** Fully-qualified protobuf type name of the payload, so consumers decode without guessing. */
  type: "Paymesh-Event-Type",
} as const;
