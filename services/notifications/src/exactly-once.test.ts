import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { type NotificationsMesh, startNotificationsMesh, type TestUser } from "../test/start-notifications-mesh.js";

let world: NotificationsMesh;
let users: TestUser[];

beforeAll(async () => {
  world = await startNotificationsMesh();
  // A second instance on the same database and streams: the two share the durable consumers.
  await world.replica();
  users = await Promise.all(["ann", "ben", "cat", "dan"].map((name) => world.user(name)));
}, 60_000);

afterAll(() => world?.stop());

it("writes one notification per event and recipient with two instances, counts and positions exact", async () => {
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
  for (const user of users) {
    const { unreadCount } = await user.notifications.getUnreadCount({});
    expect(unreadCount).toBe(BigInt(inboxes.find((inbox) => inbox.recipient === user.subject)!.unreadRows));
  }
});
