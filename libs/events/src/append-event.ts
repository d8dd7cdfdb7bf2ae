import type { DescMessage } from "@bufbuild/protobuf";
import { type AnyPgTransaction, type AppendEventsOptions, appendEvents, type OutgoingEvent } from "./append-events.js";

/** Appends one event inside the caller's transaction (see appendEvents); returns its id. */
export async function appendEvent<Desc extends DescMessage>(
  tx: AnyPgTransaction,
  event: OutgoingEvent<Desc>,
  options?: AppendEventsOptions,
): Promise<string> {
  const [id] = await appendEvents(tx, [event], options);
  return id!;
}
