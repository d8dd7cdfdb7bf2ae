import { type DescMessage, fromBinary, type MessageShape } from "@bufbuild/protobuf";
import { EventHeaders } from "@paymesh/events";
import { HandleDeactivatedSchema, HandleRegisteredSchema, HandleUpdatedSchema } from "@paymesh/gen/paymesh/handles/v1/events_pb";
import {
  AccountCreatedSchema,
  EntryPostedSchema,
  PendingExpiredSchema,
  PendingPostedSchema,
  PendingVoidedSchema,
} from "@paymesh/gen/paymesh/ledger/v1/events_pb";
import { TransferCompletedSchema, TransferFailedSchema, TransferInitiatedSchema } from "@paymesh/gen/paymesh/transfers/v1/events_pb";
import type { NatsConnection } from "nats";
import type postgres from "postgres";
import { type CheckResult, checkResult } from "./check-result.js";
import { readStream } from "./read-stream.js";

/** What an event of each type is about: two events of one type about one thing are the same fact told twice. */
const about = <T extends DescMessage>(schema: T, key: (message: MessageShape<T>) => string | undefined) =>
  [schema.typeName, (data: Uint8Array) => key(fromBinary(schema, data))] as const;

const SUBJECT_OF = new Map<string, (data: Uint8Array) => string | undefined>([
  about(TransferInitiatedSchema, (m) => m.transfer?.id),
  about(TransferCompletedSchema, (m) => m.transfer?.id),
  about(TransferFailedSchema, (m) => m.transfer?.id),
  about(AccountCreatedSchema, (m) => m.account?.id),
  about(EntryPostedSchema, (m) => m.entry?.entryId),
  about(PendingPostedSchema, (m) => m.entry?.entryId),
  about(PendingVoidedSchema, (m) => m.entry?.entryId),
  about(PendingExpiredSchema, (m) => m.entry?.entryId),
  about(HandleRegisteredSchema, (m) => m.handle?.handle),
  about(HandleUpdatedSchema, (m) => m.handle?.handle),
  about(HandleDeactivatedSchema, (m) => m.handle?.handle),
]);

const LIFECYCLE = {
  completed: [TransferInitiatedSchema.typeName, TransferCompletedSchema.typeName],
  failed: [TransferInitiatedSchema.typeName, TransferFailedSchema.typeName],
};

export interface CheckStreamsOptions {
  nats: NatsConnection;
  ledger: postgres.Sql;
  transfers: postgres.Sql;
}

/**
 * Every stream of the drill's NATS holds each event once: no event id twice, and no fact twice
 * under different ids (a transfer's TransferCompleted, an entry's EntryPosted, an account's
 * AccountCreated). And the streams are complete: each transfer's lifecycle is exactly
 * TransferInitiated then its final status, and each ledger entry and account was published.
 */
export async function checkStreams(options: CheckStreamsOptions): Promise<CheckResult[]> {
  const duplicates: string[] = [];
  const told = new Map<string, string[]>();
  let total = 0;
  const jsm = await options.nats.jetstreamManager();
  for await (const stream of jsm.streams.list()) {
    const ids = new Map<string, number>();
    for (const message of await readStream(options.nats, stream.config.name)) {
      total += 1;
      const id = message.headers[EventHeaders.id] ?? "";
      const type = message.headers[EventHeaders.type] ?? "";
      const first = ids.get(id);
      if (first !== undefined) duplicates.push(`${stream.config.name} #${message.seq}: event id ${id} already at #${first}`);
      ids.set(id, message.seq);
      const subjectOf = SUBJECT_OF.get(type);
      if (subjectOf === undefined) {
        duplicates.push(`${stream.config.name} #${message.seq}: unknown event type ${JSON.stringify(type)}`);
        continue;
      }
      const key = subjectOf(message.data) ?? "";
      const types = told.get(key) ?? [];
      if (types.includes(type)) duplicates.push(`${stream.config.name} #${message.seq}: a second ${type} for ${key}`);
      told.set(key, [...types, type]);
    }
  }

  const missing: string[] = [];
  const transfers = await options.transfers<{ id: string; status: string }[]>`select id::text, status from transfers`;
  for (const transfer of transfers) {
    const expected = LIFECYCLE[transfer.status as keyof typeof LIFECYCLE];
    const got = told.get(transfer.id) ?? [];
    if (expected !== undefined && got.join() !== expected.join())
      missing.push(`transfer ${transfer.id} (${transfer.status}): stream tells ${got.join(", ") || "nothing"}`);
  }
  const entries = await options.ledger<{ id: string }[]>`select id::text from entries`;
  for (const { id } of entries) if (!told.get(id)?.includes(EntryPostedSchema.typeName)) missing.push(`entry ${id}: no EntryPosted`);
  const accounts = await options.ledger<{ id: string }[]>`select id::text from accounts`;
  for (const { id } of accounts)
    if (!told.get(id)?.includes(AccountCreatedSchema.typeName)) missing.push(`account ${id}: no AccountCreated`);

  return [
    checkResult("no duplicate events", duplicates, `${total} events, each once`),
    checkResult(
      "events complete",
      missing,
      `${transfers.length} transfer lifecycles, ${entries.length} EntryPosted, ${accounts.length} AccountCreated`,
    ),
  ];
}
