export { DEFAULT_SUBJECT_PREFIX } from "./default-subject-prefix.js";
export { subjectFor } from "./subject-for.js";
export { streamNameFor } from "./stream-name-for.js";
export { streamNamePrefixFor } from "./stream-name-prefix-for.js";
export { streamSubjectFor } from "./stream-subject-for.js";
export { EventHeaders } from "./event-headers.js";
export { OUTBOX_CHANNEL } from "./outbox-channel.js";
export { bytea } from "./bytea.js";
export { outbox } from "./outbox.js";
export { processedEvents } from "./processed-events.js";
export { parkedEvents } from "./parked-events.js";
export {
  appendEvents,
  type AnyPgTransaction,
  type AppendEventsOptions,
  type OutgoingEvent,
} from "./append-events.js";
export { appendEvent } from "./append-event.js";
export { ensureStream, type EnsureStreamOptions } from "./ensure-stream.js";
export { countPendingEvents } from "./count-pending-events.js";
export {
  createOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxRelayStats,
} from "./create-outbox-relay.js";
export { declareConsumer, type DeclareConsumerOptions } from "./declare-consumer.js";
export {
  createConsumerRunner,
  type AnyPgDatabase,
  type ConsumerRunner,
  type ConsumerRunnerOptions,
  type TransactionOf,
} from "./create-consumer-runner.js";
export type { ReceivedEvent } from "./received-event.js";
export { decodeEvent } from "./decode-event.js";
export { rebuildProjection, type RebuildProjectionOptions } from "./rebuild-projection.js";
export { appendEventsWithSql } from "./append-events-with-sql.js";
