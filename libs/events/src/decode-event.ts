import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import type { ReceivedEvent } from "./received-event.js";

/**
 * Decodes a received event's payload as `schema`, refusing an event of another type: protobuf
 * would happily decode unrelated bytes into the wrong message, silently.
 */
export function decodeEvent<Desc extends DescMessage>(event: ReceivedEvent, schema: Desc): MessageShape<Desc> {
  if (event.type !== schema.typeName) {
    throw new Error(`event ${event.id} is a ${event.type}, not a ${schema.typeName}`);
  }
  return fromBinary(schema, event.payload);
}
