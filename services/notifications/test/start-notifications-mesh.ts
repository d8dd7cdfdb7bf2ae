import { randomUUID } from "node:crypto";
import type { Client } from "@connectrpc/connect";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { NotificationService } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { type CreateTransferResponse, TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { governanceService } from "@paymesh/governance";
import { handlesService } from "@paymesh/handles";
import { ledgerService } from "@paymesh/ledger";
import { type Env, type RunningService, startService } from "@paymesh/runtime";
import { createTestMesh, TEST_AUTH, type TestDatabase, type TestMesh } from "@paymesh/testkit";
import { transfersService } from "@paymesh/transfers";
import { expect, vi } from "vitest";
import { createNotificationsService } from "../src/main.js";
import type { NotificationsDatabase } from "../src/notifications-database.js";
import type * as schema from "../src/schema.js";

/** A user of the test mesh: a funded USD wallet with a handle, and clients as them. */
export interface TestUser {
  subject: string;
  accountId: string;
  handle: string;
  /** NotificationService as this user, over gRPC. */
  notifications: Client<typeof NotificationService>;
  /** NotificationService as this user, over Connect on HTTP/1.1 (as a browser calls it). */
  notificationsOverConnect: Client<typeof NotificationService>;
  handles: Client<typeof HandleService>;
  /** Pays `toHandle` `amount` USD cents. */
  pay(toHandle: string, amount: bigint, memo?: string): Promise<CreateTransferResponse>;
  /** Pays the account `accountId` `amount` USD cents (no handle lookup, so no lookup limit). */
  payAccount(accountId: string, amount: bigint, memo?: string): Promise<CreateTransferResponse>;
}

type NotificationsInstance = RunningService<typeof schema>;

export interface NotificationsMesh {
  mesh: TestMesh;
  /** The first notifications instance. */
  notifications: NotificationsInstance & { database: TestDatabase };
  /** The governance service, when started with `governance: true`. */
  governanceUrl: string | undefined;
  db: NotificationsDatabase;
  user(subject: string, options?: { balance?: bigint; handle?: string | null }): Promise<TestUser>;
  /** Starts another notifications instance on the same database and streams (a replica). */
  replica(env?: Env): Promise<NotificationsInstance>;
  stop(): Promise<void>;
}

/** The real mesh for notifications tests: ledger, handles, transfers (governance if asked) and notifications. */
export async function startNotificationsMesh(options: { env?: Env; governance?: boolean } = {}): Promise<NotificationsMesh> {
  const mesh = await createTestMesh();
  try {
    const ledgerRunning = await mesh.start(ledgerService);
    const handlesRunning = await mesh.start(handlesService);
    const transfersRunning = await mesh.start(transfersService);
    const governanceRunning = options.governance ? await mesh.start(governanceService) : undefined;
    const notifications = await mesh.start(createNotificationsService(), options.env);
    const ledger = mesh.client(LedgerService, ledgerRunning, { subject: "ops", role: "operator" });
    const funding = randomUUID();
    await ledger.createAccount({
      id: funding,
      currency: "USD",
      owner: "bank",
      code: "funding",
      flags: { creditsMustNotExceedDebits: true },
    });
    const replicas: NotificationsInstance[] = [];
    return {
      mesh,
      notifications,
      governanceUrl: governanceRunning?.url,
      db: notifications.context.database.db as NotificationsDatabase,
      async user(subject, { balance = 100_000n, handle = `@${subject}` } = {}) {
        const accountId = randomUUID();
        await ledger.createAccount({
          id: accountId,
          currency: "USD",
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
        const handles = mesh.client(HandleService, handlesRunning, { subject });
        if (handle !== null) await handles.registerHandle({ handle, accountId, displayName: `${subject} Tester` });
        const transfers = mesh.client(TransferService, transfersRunning, { subject });
        const inbox = mesh.client(NotificationService, notifications, { subject });
        // The handle's registration reaches the inbox asynchronously: wait, so tests start from a settled inbox.
        if (handle !== null)
          await vi.waitFor(async () => expect((await inbox.getUnreadCount({})).unreadCount).toBeGreaterThan(0n), { timeout: 10_000 });
        return {
          subject,
          accountId,
          handle: handle ?? "",
          notifications: inbox,
          notificationsOverConnect: mesh.client(NotificationService, notifications, { subject }, "connect"),
          handles,
          pay: (toHandle, amount, memo = "") =>
            transfers.createTransfer({
              idempotencyKey: randomUUID(),
              fromAccountId: accountId,
              to: { case: "toHandle", value: toHandle },
              amount,
              currency: "USD",
              memo,
            }),
          payAccount: (toAccountId, amount, memo = "") =>
            transfers.createTransfer({
              idempotencyKey: randomUUID(),
              fromAccountId: accountId,
              to: { case: "toAccountId", value: toAccountId },
              amount,
              currency: "USD",
              memo,
            }),
        };
      },
      async replica(env = {}) {
        const replica = await startService(createNotificationsService(), {
          env: {
            ...process.env,
            PORT: "0",
            HOST: "127.0.0.1",
            DATABASE_NAME: notifications.database.name,
            EVENTS_SUBJECT_PREFIX: mesh.prefix,
            AUTH_JWT_SECRET: TEST_AUTH.secret,
            AUTH_ISSUER: TEST_AUTH.issuer,
            AUTH_AUDIENCE: TEST_AUTH.audience,
            LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
            SHUTDOWN_GRACE_MS: "2000",
            ...options.env,
            ...env,
          },
        });
        replicas.push(replica);
        return replica;
      },
      async stop() {
        for (const replica of replicas.reverse()) await replica.stop();
        await mesh.stop();
      },
    };
  } catch (error) {
    await mesh.stop();
    throw error;
  }
}
