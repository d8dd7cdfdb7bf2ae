// The notifications benchmark's operations, run inside the load-generator process (see
// libs/bench/src/load-generator.ts) from parameters run-benchmark.ts passes.
import { randomUUID } from "node:crypto";
import { createClient, createContextKey, createContextValues, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { Scenario } from "@paymesh/bench";
import { NotificationService } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { TransferService, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";

export interface BenchUser {
  subject: string;
  accountId: string;
  token: string;
}

interface WatchParams {
  transfersUrl: string;
  notificationsUrl: string;
  users: BenchUser[];
  /** Streams each user keeps open (a person with several tabs and devices). */
  streamsPerUser: number;
  /** HTTP/2 connections the streams are spread over. */
  connections: number;
}

/** Which user a call is made as: shared connections, each call with its user's token. */
const callerToken = createContextKey<string>("", { description: "the calling user's token" });

const auth: Interceptor = (next) => (req) => {
  req.header.set("authorization", `Bearer ${req.contextValues.get(callerToken)}`);
  return next(req);
};

/** Where each notification stands: when its transfer answered, and how many of the payee's streams still wait for it. */
interface Pending {
  answeredAt?: number;
  arrivals: number[];
  done?: () => void;
}

export const scenarios: Record<string, Scenario> = {
  /**
   * Opens `streamsPerUser` WatchNotifications streams per user, then each operation pays one user
   * from another (by account, so no directory lookup is in the way) and ends when every stream
   * of the payee has the notification. Records, per transfer, the time from its response to the
   * last of the payee's streams receiving it.
   */
  async payAndWatch(params) {
    const { transfersUrl, notificationsUrl, users, streamsPerUser, connections } = params as unknown as WatchParams;
    const transfers = createClient(TransferService, createGrpcTransport({ baseUrl: transfersUrl, interceptors: [auth] }));
    const watchClients = Array.from({ length: connections }, () =>
      createClient(NotificationService, createGrpcTransport({ baseUrl: notificationsUrl, interceptors: [auth] })),
    );
    const pending = new Map<string, Pending>();
    const delays: number[] = [];
    const abort = new AbortController();
    const entry = (id: string) => {
      let found = pending.get(id);
      if (found === undefined) {
        found = { arrivals: [] };
        pending.set(id, found);
      }
      return found;
    };
    const settle = (id: string, item: Pending) => {
      if (item.answeredAt === undefined || item.arrivals.length < streamsPerUser) return;
      delays.push(Math.max(0, Math.max(...item.arrivals) - item.answeredAt));
      pending.delete(id);
      item.done?.();
    };
    let opened = 0;
    const ready = new Promise<void>((resolve) => {
      let n = 0;
      for (const user of users) {
        for (let s = 0; s < streamsPerUser; s++) {
          const client = watchClients[n++ % connections]!;
          void (async () => {
            let first = true;
            try {
              const stream = client.watchNotifications(
                {},
                { signal: abort.signal, contextValues: createContextValues().set(callerToken, user.token) },
              );
              for await (const message of stream) {
                if (first) {
                  first = false;
                  if (++opened === users.length * streamsPerUser) resolve();
                }
                if (message.event.case !== "notification" || message.event.value.type !== "transfer.received") continue;
                const id = message.event.value.resource;
                const item = entry(id);
                item.arrivals.push(performance.now());
                settle(id, item);
              }
            } catch (error) {
              if (!abort.signal.aborted) console.error(`stream of ${user.subject} ended: ${(error as Error).message}`);
            }
          })();
        }
      }
    });
    await ready;
    const pay = async () => {
      const payer = users[Math.floor(Math.random() * users.length)]!;
      let payee = users[Math.floor(Math.random() * users.length)]!;
      while (payee === payer) payee = users[Math.floor(Math.random() * users.length)]!;
      const { transfer } = await transfers.createTransfer(
        {
          idempotencyKey: randomUUID(),
          fromAccountId: payer.accountId,
          to: { case: "toAccountId", value: payee.accountId },
          amount: 1n,
          currency: "USD",
        },
        { contextValues: createContextValues().set(callerToken, payer.token) },
      );
      if (transfer?.status !== TransferStatus.COMPLETED) throw new Error(`transfer ended ${TransferStatus[transfer?.status ?? 0]}`);
      const item = entry(transfer.id);
      item.answeredAt = performance.now();
      const arrived = new Promise<void>((resolve, reject) => {
        item.done = resolve;
        setTimeout(() => reject(new Error(`no notification for ${transfer.id} within 10 s`)), 10_000).unref();
      });
      settle(transfer.id, item);
      await arrived;
    };
    // Warm-up of our own (the runner's would count in the record): connections, JIT, caches.
    for (let i = 0; i < 20; i++) await pay();
    delays.length = 0;
    return {
      op: pay,
      record() {
        abort.abort();
        const sorted = [...delays].sort((a, b) => a - b);
        const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
        return {
          streams: users.length * streamsPerUser,
          notified: sorted.length,
          p50: at(0.5),
          p90: at(0.9),
          p99: at(0.99),
          max: sorted.at(-1) ?? Number.NaN,
        };
      },
    };
  },
};
