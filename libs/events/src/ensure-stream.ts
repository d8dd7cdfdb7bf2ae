import { DiscardPolicy, type JetStreamManager, nanos, RetentionPolicy, StorageType, type StreamInfo } from "nats";
import { apiErrorCode } from "./api-error-code.js";

/** JetStream API error codes this module reacts to. */
const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

/** Options for {@link ensureStream}. */
export interface EnsureStreamOptions {
  /** Stream name, see streamNameFor (e.g. `PAYMESH_LEDGER`). */
  name: string;
  /** Subjects it captures, see streamSubjectFor (e.g. `["paymesh.ledger.>"]`). */
  subjects: string[];
  /**
   * How long JetStream remembers a `Nats-Msg-Id` to drop a republished copy, in milliseconds.
   * Default 120 000 (2 min). The outbox relay republishes an event whose PubAck it never saw
   * (publish timed out, or its transaction failed to record success), at most one capped
   * back-off gap (30 s by default) plus a publish timeout (5 s) later; the window must exceed
   * that worst gap so such retries are dropped here, not handed to consumers. Consumers still
   * de-duplicate by event id, so a retry outside the window costs a skipped message, not a
   * double effect.
   */
  duplicateWindowMs?: number;
  /**
   * Oldest message kept, in milliseconds; 0 keeps everything. Default 0: projections are
   * rebuilt by replaying their stream from the start, so events must outlive every read table.
   */
  maxAgeMs?: number;
  /** Replicas in a JetStream cluster. Default 1: development runs a single server. */
  replicas?: number;
}

/**
 * Declares a stream idempotently: creates it with file storage and limits retention, or, when
 * it exists (also when another process created it a moment ago), updates its subjects, duplicate
 * window, age limit and replicas to match. Safe to call on every start of every instance.
 */
export async function ensureStream(jsm: JetStreamManager, options: EnsureStreamOptions): Promise<StreamInfo> {
  const settings = {
    subjects: options.subjects,
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
    max_age: nanos(options.maxAgeMs ?? 0),
    num_replicas: options.replicas ?? 1,
  };
  const update = () => jsm.streams.update(options.name, settings);
  try {
    await jsm.streams.info(options.name);
    return await update();
  } catch (error) {
    if (apiErrorCode(error) !== STREAM_NOT_FOUND) throw error;
  }
  try {
    return await jsm.streams.add({
      name: options.name,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      ...settings,
    });
  } catch (error) {
    if (apiErrorCode(error) !== STREAM_NAME_IN_USE) throw error;
    return update();
  }
}
