import type { Client } from "@connectrpc/connect";
import { streamNameFor } from "@paymesh/events";
import { NotificationService } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { type NotificationsMesh, startNotificationsMesh, type TestUser } from "../test/start-notifications-mesh.js";
import { startWebhookReceiver, type WebhookReceiver } from "../test/start-webhook-receiver.js";
import type { NotificationsDatabase } from "./notifications-database.js";

let world: NotificationsMesh;
let users: TestUser[];
let receiver: WebhookReceiver;
let second: Awaited<ReturnType<NotificationsMesh["replica"]>>;

beforeAll(async () => {
  world = await startNotificationsMesh({ env: { NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE: "on", NOTIFICATIONS_DELIVERY_INTERVAL_MS: "20" } });
  receiver = await startWebhookReceiver();
  // A second instance on the same database and streams: the two share the durable consumers.
  second = await world.replica();
  users = await Promise.all(["ann", "ben", "cat", "dan"].map((name) => world.user(name)));
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await receiver?.close();
});

it("writes one notification per event and recipient with two instances, counts and positions exact, and sends each webhook once", async () => {
  for (const user of users)
    await user.notifications.createWebhookEndpoint({ url: receiver.url, eventTypes: ["transfer.sent", "transfer.received"] });
  const payments = users.flatMap((payer, i) =>
    Array.from({ length: 10 }, (_, n) => payer.pay(users[(i + 1 + (n % 3)) % users.length]!.handle, BigInt(n + 1))),
  );
  const transfers = (await Promise.all(payments)).map((answer) => answer.transfer!);
  expect(transfers.every((transfer) => transfer.status === 2)).toBe(true);
  // 4 handle registrations + 40 transfers × (payer + payee).
  await vi.waitFor(
    async () => {
      const [row] = await world.db.execute<{ n: number }>(sql`select count(*)::int as n from notifications`);
      expect(row!.n).toBe(4 + 80);
    },
    { timeout: 20_000, interval: 200 },
  );
  const perTransfer = await world.db.execute<{ resource: string; n: number }>(
    sql`select resource, count(*)::int as n from notifications where type like 'transfer.%' group by resource`,
  );
  expect(perTransfer).toHaveLength(40);
  expect(perTransfer.every((row) => row.n === 2)).toBe(true);
  // Each inbox: positions 1..n without gaps or repeats, and the counter's figures equal its rows'.
  const inboxes = await world.db.execute<{
    recipient: string;
    rows: number;
    maxSeq: string;
    lastSeq: string;
    unreadRows: number;
    unread: string;
  }>(sql`
    select c.recipient, count(n.id)::int as rows, max(n.seq)::text as "maxSeq", c.last_seq::text as "lastSeq",
           count(n.id) filter (where n.read_at is null and n.archived_at is null)::int as "unreadRows", c.unread::text as unread
    from inbox_counters c join notifications n on n.recipient = c.recipient
    group by c.recipient, c.last_seq, c.unread`);
  expect(inboxes).toHaveLength(4);
  for (const inbox of inboxes) {
    expect(inbox.maxSeq, inbox.recipient).toBe(String(inbox.rows));
    expect(inbox.lastSeq, inbox.recipient).toBe(String(inbox.rows));
    expect(inbox.unread, inbox.recipient).toBe(String(inbox.unreadRows));
  }
  // Both instances' delivery workers share the queue: every delivery reaches the receiver once.
  await vi.waitFor(() => expect(receiver.received).toHaveLength(80), { timeout: 20_000, interval: 200 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(receiver.received).toHaveLength(80);
  expect(new Set(receiver.received.map((request) => `${request.id}`)).size).toBe(80);
  for (const user of users) {
    const { unreadCount } = await user.notifications.getUnreadCount({});
    expect(unreadCount).toBe(BigInt(inboxes.find((inbox) => inbox.recipient === user.subject)!.unreadRows));
  }
});

it("applies nothing twice when the stream delivers every event again", async () => {
  let db = world.db;
  const count = async () => (await db.execute<{ n: number }>(sql`select count(*)::int as n from notifications`))[0]!.n;
  const before = await count();
  const unread = async (client: (user: TestUser) => Client<typeof NotificationService>) =>
    Promise.all(users.map(async (user) => (await client(user).getUnreadCount({})).unreadCount));
  const unreadBefore = await unread((user) => user.notifications);
  // With every instance stopped, the durable consumer goes; the next instance declares it anew,
  // from the stream's first message: every event is delivered again.
  await world.notifications.stop();
  await second.stop();
  const stream = streamNameFor(world.mesh.prefix, "transfers");
  await world.mesh.nats.jsm.consumers.delete(stream, "notifications-transfers");
  const third = await world.replica();
  db = third.context.database.db as NotificationsDatabase;
  const as = (user: TestUser) => world.mesh.client(NotificationService, third, { subject: user.subject });
  await vi.waitFor(
    async () => {
      const info = await world.mesh.nats.jsm.consumers.info(stream, "notifications-transfers");
      expect(info.num_pending + info.num_ack_pending).toBe(0);
      // Every event of the 40 transfers (initiated and completed) came again.
      expect(info.delivered.consumer_seq).toBeGreaterThanOrEqual(80);
    },
    { timeout: 20_000, interval: 200 },
  );
  expect(await count()).toBe(before);
  expect(await unread(as)).toEqual(unreadBefore);
  const { transfer } = await users[0]!.pay(users[1]!.handle, 1n);
  await vi.waitFor(async () => expect(await count()).toBe(before + 2), { timeout: 10_000 });
  expect(await unread(as)).toEqual(unreadBefore.map((n, i) => (i <= 1 ? n + 1n : n)));
  const rows = await db.execute<{ n: number }>(sql`select count(*)::int as n from notifications where resource = ${transfer!.id}`);
  expect(rows[0]!.n).toBe(2);
  // Nothing was sent again either: only the new transfer's two webhooks came.
  await vi.waitFor(() => expect(receiver.received).toHaveLength(82), { timeout: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(receiver.received).toHaveLength(82);
}, 60_000);
