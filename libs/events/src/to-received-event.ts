import type { JsMsg } from "nats";
import { EventHeaders } from "./event-headers.js";
import type { ReceivedEvent } from "./received-event.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A message read as an event, or why it is not one (then it can never be applied, only parked). */
export type ReadEvent =
  | { event: ReceivedEvent; problem?: undefined }
  | { event?: undefined; problem: string; headers: Record<string, string> };

/** Reads a JetStream message as an event: payload, id from `Nats-Msg-Id`, type header, all headers. */
export function toReceivedEvent(msg: JsMsg): ReadEvent {
  const headers: Record<string, string> = {};
  for (const name of msg.headers?.keys() ?? []) headers[name] = msg.headers!.get(name);
  const id = headers[EventHeaders.id];
  const type = headers[EventHeaders.type];
  // The id keys exactly-once application, so a message without a well-formed one cannot be applied safely.
  if (id === undefined || !UUID.test(id)) return { problem: `no event id (${EventHeaders.id} must be a UUID)`, headers };
  if (type === undefined || type === "") return { problem: `no event type (${EventHeaders.type} header)`, headers };
  return {
    event: {
      id,
      type,
      subject: msg.subject,
      payload: msg.data,
      headers,
      deliveries: msg.info.deliveryCount,
      streamSequence: msg.info.streamSequence,
    },
  };
}
