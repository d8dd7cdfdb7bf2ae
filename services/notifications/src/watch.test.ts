import { randomUUID } from "node:crypto";
import { type Client, Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { NotificationService, type WatchNotificationsResponse } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { connectErrorOf, mintTestToken } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NotificationsMesh, startNotificationsMesh, type TestUser } from "../test/start-notifications-mesh.js";
import { createInboxWriter } from "./create-inbox-writer.js";

let world: NotificationsMesh;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  world = await startNotificationsMesh({ env: { NOTIFICATIONS_HEARTBEAT_MS: "300", NOTIFICATIONS_WATCH_BUFFER: "32" } });
  [alice, bob] = await Promise.all([world.user("alice"), world.user("bob")]);
}, 60_000);

afterAll(() => world?.stop());

/** An open stream: its messages as they arrive, and a way to end it. */
function watch(client: Client<typeof NotificationService>, after = "") {
  const abort = new AbortController();
  const messages: WatchNotificationsResponse[] = [];
  let failure: unknown;
  const done = (async () => {
    try {
      for await (const message of client.watchNotifications({ after }, { signal: abort.signal })) messages.push(message);
    } catch (error) {
      if (!abort.signal.aborted) failure = error;
    }
  })();
  const notifications = () =>
    messages.flatMap((m) => (m.event.case === "notification" ? [{ ...m.event.value, unread: m.unreadCount }] : []));
  const until = async <T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> => {
    const start = Date.now();
    for (;;) {
      const found = check();
      if (found !== undefined) return found;
      if (failure !== undefined) throw failure;
      if (Date.now() - start > timeoutMs)
        throw new Error(`stream did not deliver in time; got ${JSON.stringify(notifications().map((n) => n.body))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    messages,
    notifications,
    until,
    failure: () => failure,
    done,
    async close() {
      abort.abort();
      await done;
    },
  };
}

describe.each([
  ["gRPC", (user: TestUser) => user.notifications],
  ["Connect over HTTP/1.1", (user: TestUser) => user.notificationsOverConnect],
])("WatchNotifications over %s", (_protocol, clientOf) => {
  it("pushes a transfer to the payee's open stream with the new unread count", async () => {
    const stream = watch(clientOf(bob));
    const [hello] = await stream.until(() => (stream.messages.length > 0 ? stream.messages : undefined));
    expect(hello!.event.case).toBe("heartbeat");
    const { unreadCount: before } = await bob.notifications.getUnreadCount({});
    const { transfer } = await alice.pay("@bob", 250n);
    const pushed = await stream.until(() => stream.notifications().find((n) => n.resource === transfer!.id));
    expect(pushed.body).toBe("@alice sent you 2.50 USD");
    expect(pushed.unread).toBe(before + 1n);
    await stream.close();
    expect(stream.notifications().filter((n) => n.resource === transfer!.id)).toHaveLength(1);
  });

  it("resumes after a cursor: misses nothing and repeats nothing", async () => {
    const first = watch(clientOf(bob));
    await first.until(() => (first.messages.length > 0 ? true : undefined));
    await alice.pay("@bob", 1n);
    const seen = await first.until(() => first.notifications()[0]);
    await first.close();
    // While nobody watches, and while the new stream opens, more arrive.
    const missed = await Promise.all([alice.pay("@bob", 2n), alice.pay("@bob", 3n)]);
    const resumed = watch(clientOf(bob), seen.cursor);
    const late = await Promise.all([alice.pay("@bob", 4n), alice.pay("@bob", 5n)]);
    const ids = [...missed, ...late].map((answer) => answer.transfer!.id);
    await resumed.until(() => (ids.every((id) => resumed.notifications().some((n) => n.resource === id)) ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await resumed.close();
    const cursors = resumed.notifications().map((n) => Number(n.cursor));
    expect(cursors).toEqual(Array.from({ length: cursors.length }, (_, i) => Number(seen.cursor) + 1 + i));
    expect(cursors).toHaveLength(4);
  });

  it("sends heartbeats while nothing happens", async () => {
    const stream = watch(clientOf(alice));
    await stream.until(() => (stream.messages.filter((m) => m.event.case === "heartbeat").length >= 3 ? true : undefined), 5_000);
    await stream.close();
  });
});

it("closes a watcher that falls behind with ABORTED and where to resume, without holding up others", async () => {
  const carol = await world.user("carol");
  // A reader that stops reading, over a connection with a 1 KiB stream window: once HTTP/2 flow
  // control holds the server's writes, its queue on the server fills while a healthy watcher
  // keeps receiving.
  const stalledClient = createClient(
    NotificationService,
    createGrpcTransport({
      baseUrl: world.notifications.url,
      nodeOptions: { settings: { initialWindowSize: 1024 } },
      interceptors: [
        (next) => async (req) => {
          req.header.set("authorization", `Bearer ${await mintTestToken("bob")}`);
          return next(req);
        },
      ],
    }),
  );
  const stalled = stalledClient.watchNotifications({})[Symbol.asyncIterator]();
  await stalled.next();
  const healthy = watch(carol.notifications);
  await healthy.until(() => (healthy.messages.length > 0 ? true : undefined));
  for (let round = 0; round < 12; round++) {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => alice.payAccount(i === 0 ? carol.accountId : bob.accountId, BigInt(100 + i), "x".repeat(280))),
    );
  }
  await healthy.until(() => (healthy.notifications().filter((n) => n.type === "transfer.received").length === 12 ? true : undefined));
  expect(healthy.failure()).toBeUndefined();
  await healthy.close();
  const failure = await connectErrorOf(
    (async () => {
      for (;;) {
        const next = await stalled.next();
        if (next.done) return;
      }
    })(),
  );
  expect(failure.code).toBe(Code.Aborted);
  expect(failure.rawMessage).toMatch(/fell behind; reconnect with after="\d+"/);
}, 60_000);

it("delivers at the next heartbeat what no push announced, with the unread count as marks left it", async () => {
  const dan = await world.user("dan");
  const stream = watch(dan.notifications);
  await stream.until(() => (stream.messages.length > 0 ? true : undefined));
  // Written without its NotificationCreated: as if the push were lost in a NATS outage.
  const silent = createInboxWriter({ subject: () => "", channels: new Set(), announce: false });
  await world.db.transaction((tx) =>
    silent.write(
      tx,
      randomUUID(),
      [
        {
          recipient: "dan",
          type: "handle.updated",
          category: "handles",
          title: "t",
          body: "unannounced",
          resource: "@dan",
          required: false,
        },
      ],
      new Date(),
    ),
  );
  const found = await stream.until(() => stream.notifications().find((n) => n.body === "unannounced"), 5_000);
  expect(found.unread).toBe(2n);
  await dan.notifications.markRead({ target: { case: "upToId", value: found.id } });
  await stream.until(
    () => (stream.messages.at(-1)?.event.case === "heartbeat" && stream.messages.at(-1)?.unreadCount === 0n ? true : undefined),
    5_000,
  );
  await stream.close();
  expect(stream.notifications().filter((n) => n.body === "unannounced")).toHaveLength(1);
});

it("needs a valid cursor", async () => {
  const failure = await connectErrorOf(
    (async () => {
      for await (const _ of bob.notifications.watchNotifications({ after: "x1" })) return;
    })(),
  );
  expect(failure.code).toBe(Code.InvalidArgument);
});
