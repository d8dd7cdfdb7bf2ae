export { appendEvent } from "./append-event.js";
export {
  type AnyPgTransaction,
  type AppendEventsOptions,
  appendEvents,
  type OutgoingEvent,
} from "./append-events.js";
export { appendEventsWithSql } from "./append-events-with-sql.js";
export { countPendingEvents } from "./count-pending-events.js";
export {
  type AnyPgDatabase,
  type ConsumerRunner,
  type ConsumerRunnerOptions,
  createConsumerRunner,
  type TransactionOf,
} from "./create-consumer-runner.js";
export {
  createOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxRelayStats,
} from "./create-outbox-relay.js";
export { type DeclareConsumerOptions, declareConsumer } from "./declare-consumer.js";
export { decodeEvent } from "./decode-event.js";
export { type EnsureStreamOptions, ensureStream } from "./ensure-stream.js";
export { EventHeaders } from "./event-headers.js";
export { DEFAULT_SUBJECT_PREFIX, streamNameFor, streamNamePrefixFor, streamSubjectFor, subjectFor } from "./event-names.js";
export { outbox } from "./outbox.js";
export { OUTBOX_CHANNEL } from "./outbox-channel.js";
export { parkedEvents } from "./parked-events.js";
export { processedEvents } from "./processed-events.js";
export { type PrunedEventRows, type PruneEventTablesOptions, pruneEventTables } from "./prune-event-tables.js";
export { type RebuildProjectionOptions, rebuildProjection } from "./rebuild-projection.js";
export type { ReceivedEvent } from "./received-event.js";
export { type ReadEvent, toReceivedEvent } from "./to-received-event.js";
