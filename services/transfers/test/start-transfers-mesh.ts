import { randomUUID } from "node:crypto";
import { fromBinary } from "@bufbuild/protobuf";
import type { Client, Interceptor } from "@connectrpc/connect";
import { streamNameFor } from "@paymesh/events";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { TransferCompletedSchema, TransferFailedSchema, TransferInitiatedSchema } from "@paymesh/gen/paymesh/transfers/v1/events_pb";
import { type CreateTransferResponse, type Transfer, TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { handlesService } from "@paymesh/handles";
import { ledgerService } from "@paymesh/ledger";
import type { Env } from "@paymesh/runtime";
import { createTestMesh, type TestMesh } from "@paymesh/testkit";
import type { DestinationStream } from "pino";
import { createTransfersService, type TransfersServiceOptions } from "../src/main.js";
import type { TransfersDatabase } from "../src/transfers-database.js";

/** A user of the test mesh: a funded USD wallet with a handle. */
export interface TestUser {
  subject: string;
  accountId: string;
  handle: string;
  /** TransferService as this user. */
  transfers: Client<typeof TransferService>;
  /** Pays `toHandle` from this user's wallet in USD, under idempotency key `key` (default a fresh one). */
  pay(toHandle: string, amount: bigint, key?: string): Promise<CreateTransferResponse>;
}

/** One event of the transfers stream, decoded. */
interface StreamedTransferEvent {
  type: "initiated" | "completed" | "failed";
  transfer: Transfer;
  seq: number;
}

export interface TransfersMesh {
  mesh: TestMesh;
  ledgerUrl: string;
  handlesUrl: string;
  /** Undefined when started with `transfers: false` (the crash drill runs it as a child process). */
  transfersUrl: string | undefined;
  /** The in-process transfers service's database, for checks no API offers (every transfer). */
  transfersDb: TransfersDatabase;
  ledger: Client<typeof LedgerService>;
  /** TransferService as an operator. */
  operator: Client<typeof TransferService>;
  /** Opens a funded USD wallet (and registers `handle` for it unless null). */
  user(subject: string, options?: { balance?: bigint; handle?: string | null; currency?: string }): Promise<TestUser>;
  balance(accountId: string): Promise<bigint>;
  /** Whether the ledger holds an entry under this id. */
  entryExists(entryId: string): Promise<boolean>;
  /** A client for a transfers service at `url` (default: the in-process one) as `subject`. */
  transfersAs(subject: string, url?: string): Client<typeof TransferService>;
  handlesAs(subject: string): Client<typeof HandleService>;
  /** Every event on this mesh's transfers stream. */
  streamEvents(): Promise<StreamedTransferEvent[]>;
  stop(): Promise<void>;
}

/**
 * The real mesh for transfers tests: ledger, handles and (unless told not to) transfers, with a
 * funding account (owner `bank`) that user wallets are funded from.
 */
export async function startTransfersMesh(
  options: {
    transfers?: TransfersServiceOptions | false;
    env?: Env;
    /** The handles service's environment (e.g. a small lookup bucket). Default: its defaults. */
    handlesEnv?: Env;
    /** The Redis every service of the mesh uses (`REDIS_URL`). Default: the shared one. */
    redisUrl?: string;
    /** Extra interceptors on the ledger's server, closest to its handlers. Default none. */
    ledgerInterceptors?: Interceptor[];
    /** Where the transfers service logs. Default stdout (at the test mesh's LOG_LEVEL). */
    transfersLogs?: DestinationStream;
  } = {},
): Promise<TransfersMesh> {
  const mesh = await createTestMesh();
  const redis: Env = options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl };
  try {
    const ledgerRunning = await mesh.start(ledgerService, redis, { interceptors: options.ledgerInterceptors });
    const handlesRunning = await mesh.start(handlesService, { ...redis, ...options.handlesEnv });
    const transfersRunning =
      options.transfers === false
        ? undefined
        : await mesh.start(
            createTransfersService(options.transfers ?? {}),
            { ...redis, ...options.env },
            { logDestination: options.transfersLogs },
          );
    const ledger = mesh.client(LedgerService, ledgerRunning, { subject: "ops", role: "operator" });
    const fundingId = randomUUID();
    await ledger.createAccount({
      id: fundingId,
      currency: "USD",
      owner: "bank",
      code: "funding",
      flags: { creditsMustNotExceedDebits: true },
    });
    const fundingByCurrency = new Map([["USD", fundingId]]);
    const transfersAs = (subject: string, url = transfersRunning?.url) => {
      if (url === undefined) throw new Error("no transfers service in this mesh");
      return mesh.client(TransferService, { url }, { subject });
    };
    const handlesAs = (subject: string) => mesh.client(HandleService, handlesRunning, { subject });
    return {
      mesh,
      ledgerUrl: ledgerRunning.url,
      handlesUrl: handlesRunning.url,
      transfersUrl: transfersRunning?.url,
      transfersDb: transfersRunning?.context.database.db as TransfersDatabase,
      ledger,
      operator: transfersRunning
        ? mesh.client(TransferService, transfersRunning, { subject: "ops", role: "operator" })
        : (undefined as never),
      async user(subject, { balance = 100_000n, handle = `@${subject}`, currency = "USD" } = {}) {
        let funding = fundingByCurrency.get(currency);
        if (funding === undefined) {
          funding = randomUUID();
          await ledger.createAccount({
            id: funding,
            currency,
            owner: "bank",
            code: "funding",
            flags: { creditsMustNotExceedDebits: true },
          });
          fundingByCurrency.set(currency, funding);
        }
        const accountId = randomUUID();
        await ledger.createAccount({
          id: accountId,
          currency,
          owner: subject,
          code: "wallet",
          flags: { debitsMustNotExceedCredits: true },
        });
        if (balance > 0n) {
          await ledger.postEntry({
            entryId: randomUUID(),
            lines: [
              { accountId: funding, amount: balance, side: Side.DEBIT },
              { accountId, amount: balance, side: Side.CREDIT },
            ],
            memo: "funding",
          });
        }
        if (handle !== null) await handlesAs(subject).registerHandle({ handle, accountId, displayName: `${subject} Tester` });
        const transfers = transfersRunning ? transfersAs(subject) : (undefined as never);
        const pay = (toHandle: string, amount: bigint, key: string = randomUUID()) =>
          transfers.createTransfer({
            idempotencyKey: key,
            fromAccountId: accountId,
            to: { case: "toHandle", value: toHandle },
            amount,
            currency: "USD",
          });
        return { subject, accountId, handle: handle ?? "", transfers, pay };
      },
      async balance(accountId) {
        const { balances } = await ledger.getBalance({ accountId });
        return balances!.balance;
      },
      async entryExists(entryId) {
        try {
          await ledger.getEntry({ entryId });
          return true;
        } catch (error) {
          if ((error as { code?: number }).code === 5) return false;
          throw error;
        }
      },
      transfersAs,
      handlesAs,
      async streamEvents() {
        const stream = streamNameFor(mesh.prefix, "transfers");
        const { state } = await mesh.nats.jsm.streams.info(stream);
        const events: StreamedTransferEvent[] = [];
        for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
          const message = await mesh.nats.jsm.streams.getMessage(stream, { seq });
          const kind = (["initiated", "completed", "failed"] as const).find((k) => message.subject.endsWith(`.transfer_${k}`));
          if (kind === undefined) throw new Error(`unexpected event on ${message.subject}`);
          const { transfer } = fromBinary(SCHEMAS[kind], message.data);
          events.push({ type: kind, transfer: transfer!, seq });
        }
        return events;
      },
      stop: () => mesh.stop(),
    };
  } catch (error) {
    await mesh.stop();
    throw error;
  }
}

const SCHEMAS = { initiated: TransferInitiatedSchema, completed: TransferCompletedSchema, failed: TransferFailedSchema } as const;
