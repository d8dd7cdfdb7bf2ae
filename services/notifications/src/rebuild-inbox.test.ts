import { sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { type NotificationsMesh, startNotificationsMesh, type TestUser } from "../test/start-notifications-mesh.js";
import { rebuildInbox } from "./rebuild-inbox.js";

let world: NotificationsMesh;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  world = await startNotificationsMesh();
  [alice, bob] = await Promise.all([world.user("alice"), world.user("bob")]);
}, 60_000);

afterAll(() => world?.stop());

/** What a person sees of their inbox, without positions (a rebuild renumbers them). */
async function viewOf(user: TestUser) {
  const { notifications } = await user.notifications.listNotifications({ pageSize: 500, includeArchived: true });
  const { unreadCount } = await user.notifications.getUnreadCount({});
  return {
    unreadCount,
    items: notifications.map((n) => ({
      id: n.id === "" ? "" : "kept",
      type: n.type,
      body: n.body,
      read: n.readTime !== undefined,
      archived: n.archiveTime !== undefined,
    })),
  };
}

it("rebuilds every inbox from the streams, keeping read and archived marks, sending nothing again", async () => {
  for (let i = 1; i <= 4; i++) await alice.pay("@bob", BigInt(i * 100));
  await bob.handles.updateHandle({ handle: "@bob", displayName: "Robert B." });
  await vi.waitFor(async () => expect((await bob.notifications.listNotifications({})).notifications).toHaveLength(6), { timeout: 10_000 });
  const listed = (await bob.notifications.listNotifications({})).notifications;
  await bob.notifications.markRead({ target: { case: "ids", value: { ids: [listed[1]!.id] } } });
  await bob.notifications.archive({ ids: { ids: [listed[2]!.id] } });
  const before = { alice: await viewOf(alice), bob: await viewOf(bob) };
  const outbox = async () => (await world.db.execute<{ n: number }>(sql`select count(*)::int as n from outbox`))[0]!.n;
  const published = await outbox();

  const replayed = await rebuildInbox({
    db: world.db,
    js: world.mesh.nats.js,
    jsm: world.mesh.nats.jsm,
    subjectPrefix: world.mesh.prefix,
  });
  // Handles: two registered, one updated; transfers: each initiated and completed.
  expect(replayed).toBe(3 + 4 * 2);
  expect({ alice: await viewOf(alice), bob: await viewOf(bob) }).toEqual(before);
  expect(await outbox()).toBe(published);

  // The live consumers carry on after it, once per event.
  const { transfer } = await alice.pay("@bob", 999n);
  await vi.waitFor(async () => {
    const { notifications } = await bob.notifications.listNotifications({});
    expect(notifications.filter((n) => n.resource === transfer!.id)).toHaveLength(1);
  });
  expect((await bob.notifications.getUnreadCount({})).unreadCount).toBe(before.bob.unreadCount + 1n);
});
