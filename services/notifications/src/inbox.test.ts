import { Code } from "@connectrpc/connect";
import { connectErrorOf } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type NotificationsMesh, startNotificationsMesh, type TestUser } from "../test/start-notifications-mesh.js";

let world: NotificationsMesh;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  world = await startNotificationsMesh();
  [alice, bob] = await Promise.all([world.user("alice"), world.user("bob")]);
}, 60_000);

afterAll(() => world?.stop());

/** Every notification of `user`'s inbox, newest first, archived ones too. */
async function inboxOf(user: TestUser, unreadOnly = false) {
  const { notifications } = await user.notifications.listNotifications({ pageSize: 500, includeArchived: true, unreadOnly });
  return notifications;
}

describe("the inbox", () => {
  it("tells the payer and the payee of a completed transfer once each, in words a person reads", async () => {
    const { transfer } = await alice.pay("@bob", 1234n, "lunch");
    const received = await vi.waitFor(
      async () => {
        const found = (await inboxOf(bob)).filter((n) => n.resource === transfer!.id);
        expect(found).toHaveLength(1);
        return found[0]!;
      },
      { timeout: 10_000 },
    );
    expect(received.type).toBe("transfer.received");
    expect(received.body).toBe("@alice sent you 12.34 USD: lunch");
    const sent = await vi.waitFor(async () => {
      const found = (await inboxOf(alice)).filter((n) => n.resource === transfer!.id);
      expect(found).toHaveLength(1);
      return found[0]!;
    });
    expect(sent.body).toBe("You sent 12.34 USD to @bob: lunch");
  });

  it("tells the payer of a failed transfer why, and not the payee", async () => {
    const { transfer } = await alice.pay("@bob", 10_000_000n);
    expect(transfer!.failureReason).not.toBe(0);
    const failed = await vi.waitFor(async () => {
      const found = (await inboxOf(alice)).filter((n) => n.resource === transfer!.id);
      expect(found).toHaveLength(1);
      return found[0]!;
    });
    expect(failed).toMatchObject({ type: "transfer.failed", required: true });
    expect(failed.body).toMatch(/^Your payment of 100,000.00 USD to @bob failed: /);
    expect((await inboxOf(bob)).filter((n) => n.resource === transfer!.id)).toHaveLength(0);
  });

  it("tells a handle's owner that it was registered, changed and deactivated", async () => {
    const carol = await world.user("carol", { handle: "@carol" });
    await carol.handles.updateHandle({ handle: "@carol", displayName: "Carol C." });
    await carol.handles.deactivateHandle({ handle: "@carol" });
    const types = await vi.waitFor(async () => {
      const found = (await inboxOf(carol)).map((n) => n.type);
      expect(found).toHaveLength(3);
      return found;
    });
    expect(types).toEqual(["handle.deactivated", "handle.updated", "handle.registered"]);
  });

  it("keeps the unread count exact under concurrent marks and new notifications", async () => {
    const dave = await world.user("dave");
    const erin = await world.user("erin");
    const pays = Array.from({ length: 20 }, (_, i) => erin.pay("@dave", BigInt(i + 1)));
    const marks: Promise<unknown>[] = [];
    for (let round = 0; round < 10; round++) {
      const unread = await inboxOf(dave, true);
      if (unread.length > 0) {
        marks.push(dave.notifications.markRead({ target: { case: "ids", value: { ids: unread.slice(0, 3).map((n) => n.id) } } }));
        marks.push(dave.notifications.markRead({ target: { case: "upToId", value: unread[unread.length - 1]!.id } }));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await Promise.all([...pays, ...marks]);
    await vi.waitFor(async () => expect(await inboxOf(dave)).toHaveLength(21), { timeout: 10_000 });
    const unread = (await inboxOf(dave, true)).length;
    expect((await dave.notifications.getUnreadCount({})).unreadCount).toBe(BigInt(unread));
    const all = await inboxOf(dave);
    const outcome = await dave.notifications.markRead({ target: { case: "upToId", value: all[0]!.id } });
    expect(outcome).toMatchObject({ marked: unread, unreadCount: 0n });
  });

  it("lists newest first in pages, with an unread filter, and archives", async () => {
    const frank = await world.user("frank");
    for (let i = 1; i <= 5; i++) await alice.pay("@frank", BigInt(i));
    await vi.waitFor(async () => expect(await inboxOf(frank)).toHaveLength(6), { timeout: 10_000 });
    const first = await frank.notifications.listNotifications({ pageSize: 4 });
    const second = await frank.notifications.listNotifications({ pageSize: 4, pageToken: first.nextPageToken });
    const cursors = [...first.notifications, ...second.notifications].map((n) => Number(n.cursor));
    expect(cursors).toEqual([6, 5, 4, 3, 2, 1]);
    expect(second.nextPageToken).toBe("");
    await frank.notifications.markRead({ target: { case: "ids", value: { ids: [first.notifications[1]!.id] } } });
    const unread = await frank.notifications.listNotifications({ unreadOnly: true });
    expect(unread.notifications.map((n) => Number(n.cursor))).toEqual([6, 4, 3, 2, 1]);
    const archived = await frank.notifications.archive({ ids: { ids: [first.notifications[0]!.id, first.notifications[1]!.id] } });
    expect(archived).toEqual(expect.objectContaining({ archived: 2, unreadCount: 4n }));
    expect((await frank.notifications.listNotifications({})).notifications.map((n) => Number(n.cursor))).toEqual([4, 3, 2, 1]);
    await expect(frank.notifications.listNotifications({ pageToken: first.nextPageToken, unreadOnly: true })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
  });

  it("refuses someone else's notification without saying whether it exists, and changes nothing", async () => {
    const [theirs] = await inboxOf(bob, true);
    const before = await bob.notifications.getUnreadCount({});
    for (const id of [theirs!.id, "0190a0c0-0000-7000-8000-000000000000"]) {
      const marked = await connectErrorOf(alice.notifications.markRead({ target: { case: "ids", value: { ids: [id] } } }));
      expect(marked.code).toBe(Code.PermissionDenied);
      expect(marked.rawMessage).toBe(`notification ${id} is not one of yours`);
      const archived = await connectErrorOf(alice.notifications.archive({ ids: { ids: [id] } }));
      expect(archived.code).toBe(Code.PermissionDenied);
      const upTo = await connectErrorOf(alice.notifications.markRead({ target: { case: "upToId", value: id } }));
      expect(upTo.code).toBe(Code.PermissionDenied);
    }
    expect(await bob.notifications.getUnreadCount({})).toEqual(before);
    expect((await inboxOf(bob, true)).map((n) => n.id)).toContain(theirs!.id);
  });

  it("refuses malformed ids and an empty request", async () => {
    expect((await connectErrorOf(alice.notifications.markRead({ target: { case: "ids", value: { ids: ["nope"] } } }))).code).toBe(
      Code.InvalidArgument,
    );
    expect((await connectErrorOf(alice.notifications.markRead({}))).code).toBe(Code.InvalidArgument);
    expect((await connectErrorOf(alice.notifications.archive({}))).code).toBe(Code.InvalidArgument);
  });
});
