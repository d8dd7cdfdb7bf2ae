import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { DeliveryStatus, NotificationService } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { connectErrorOf } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type NotificationsMesh, startNotificationsMesh, type TestUser } from "../test/start-notifications-mesh.js";
import { startWebhookReceiver, verifySignature, type WebhookReceiver } from "../test/start-webhook-receiver.js";

const ENV = {
  NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE: "on",
  NOTIFICATIONS_RETRY_SCHEDULE_MS: "0,300,300,4000",
  NOTIFICATIONS_RETRY_JITTER_PERCENT: "0",
  NOTIFICATIONS_DELIVERY_INTERVAL_MS: "50",
};

let world: NotificationsMesh;
let alice: TestUser;
let bob: TestUser;
let receiver: WebhookReceiver;

beforeAll(async () => {
  world = await startNotificationsMesh({ env: ENV });
  [alice, bob] = await Promise.all([world.user("alice"), world.user("bob")]);
  receiver = await startWebhookReceiver();
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await receiver?.close();
});

/** The requests the receiver got for transfer `id`. */
const requestsFor = (id: string) => receiver.received.filter((request) => request.json.data.resource === id);

describe("webhooks", () => {
  it("delivers a signed Standard Webhooks request that a receiver's own code verifies", async () => {
    const { endpoint, secret } = await bob.notifications.createWebhookEndpoint({ url: receiver.url, eventTypes: ["transfer.received"] });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect((await bob.notifications.listWebhookEndpoints({})).endpoints.map((e) => e.id)).toEqual([endpoint!.id]);
    const { transfer } = await alice.pay("@bob", 1234n);
    const [request] = await vi.waitFor(() => {
      const found = requestsFor(transfer!.id);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(verifySignature(secret, request!)).toBe(true);
    expect(verifySignature(secret, { ...request!, body: request!.body.replace("12.34", "99.99") })).toBe(false);
    expect(request!.id).toMatch(/^msg_/);
    expect(Math.abs(Number(request!.timestamp) - Date.now() / 1000)).toBeLessThan(10);
    expect(request!.json).toMatchObject({ type: "transfer.received", data: { body: "@alice sent you 12.34 USD", resource: transfer!.id } });
    expect(Number.isNaN(Date.parse(request!.json.timestamp))).toBe(false);
    // The outcome is recorded once the answer is back, a moment after the receiver has the request.
    const delivery = await vi.waitFor(async () => {
      const { deliveries } = await bob.notifications.listWebhookDeliveries({ endpointId: endpoint!.id });
      const found = deliveries.find((d) => d.messageId === request!.id)!;
      expect(found.status).toBe(DeliveryStatus.SUCCEEDED);
      return found;
    });
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]!.statusCode).toBe(204);
    // The types it did not ask for (the payer's own notifications) never reach it.
    await alice.notifications.createWebhookEndpoint({ url: `${receiver.url}?alice`, eventTypes: ["transfer.failed"] });
    await alice.pay("@bob", 1n);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received.filter((r) => r.json.type !== "transfer.received")).toHaveLength(0);
    await bob.notifications.deleteWebhookEndpoint({ id: endpoint!.id });
  });

  it("signs with both secrets while a rotation overlaps", async () => {
    const { endpoint, secret: old } = await bob.notifications.createWebhookEndpoint({ url: `${receiver.url}?rotate`, eventTypes: [] });
    const { secret: rotated, previousSecretExpireTime } = await bob.notifications.rotateWebhookSecret({ id: endpoint!.id });
    expect(rotated).not.toBe(old);
    expect(Number(previousSecretExpireTime!.seconds) * 1000).toBeGreaterThan(Date.now());
    const { transfer } = await alice.pay("@bob", 2n);
    const [request] = await vi.waitFor(() => {
      const found = requestsFor(transfer!.id);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(request!.signature.split(" ")).toHaveLength(2);
    expect(verifySignature(old, request!)).toBe(true);
    expect(verifySignature(rotated, request!)).toBe(true);
    await bob.notifications.deleteWebhookEndpoint({ id: endpoint!.id });
  });

  it("honours Retry-After on 429, then redelivers and replays on request; /metrics counts the attempts", async () => {
    const attempts = async (result: string) => {
      const text = await (await fetch(`${world.notifications.url}/metrics`)).text();
      const pattern = new RegExp(`^notification_delivery_attempts_total\\{[^}]*channel="webhook",result="${result}"[^}]*\\} (\\d+)$`, "m");
      return Number(pattern.exec(text)?.[1] ?? 0);
    };
    const before = { failed: await attempts("failed"), succeeded: await attempts("succeeded") };
    const { endpoint } = await bob.notifications.createWebhookEndpoint({ url: `${receiver.url}?later`, eventTypes: [] });
    receiver.answer = (_request, attempt) => (attempt === 1 ? { status: 429, headers: { "retry-after": "2" } } : { status: 200 });
    const { transfer } = await alice.pay("@bob", 3n);
    const [first, second] = await vi.waitFor(
      () => {
        const found = requestsFor(transfer!.id);
        expect(found).toHaveLength(2);
        return found;
      },
      { timeout: 10_000 },
    );
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_900);
    receiver.answer = () => ({ status: 204 });
    const deliveries = await vi.waitFor(async () => {
      const listed = await bob.notifications.listWebhookDeliveries({ endpointId: endpoint!.id });
      expect(listed.deliveries[0]!.attempts.map((a) => a.statusCode)).toEqual([429, 200]);
      return listed.deliveries;
    });
    const { delivery } = await bob.notifications.redeliverWebhook({ deliveryId: deliveries[0]!.id });
    expect(delivery!.status).toBe(DeliveryStatus.PENDING);
    await vi.waitFor(() => expect(requestsFor(transfer!.id)).toHaveLength(3));
    expect(requestsFor(transfer!.id)[2]!.id).toBe(first!.id);
    // The 429, then the 200 and the redelivery's 204 (other endpoints of bob's may add to both).
    await vi.waitFor(async () => {
      expect((await attempts("failed")) - before.failed).toBeGreaterThanOrEqual(1);
      expect((await attempts("succeeded")) - before.succeeded).toBeGreaterThanOrEqual(2);
    });
    // Nothing failed since, so a replay has nothing to send.
    expect((await bob.notifications.replayWebhooks({ endpointId: endpoint!.id, since: timestampFromDate(new Date(0)) })).queued).toBe(0);
    await bob.notifications.deleteWebhookEndpoint({ id: endpoint!.id });
  });

  it("disables an endpoint that answers 410 Gone and tells its owner in the inbox", async () => {
    const { endpoint } = await bob.notifications.createWebhookEndpoint({ url: `${receiver.url}?gone`, eventTypes: [] });
    receiver.answer = () => ({ status: 410 });
    const { transfer } = await alice.pay("@bob", 4n);
    await vi.waitFor(async () => {
      const { endpoints } = await bob.notifications.listWebhookEndpoints({});
      expect(endpoints.find((e) => e.id === endpoint!.id)).toMatchObject({ disabled: true, disabledReason: "it answered 410 Gone" });
    });
    receiver.answer = () => ({ status: 204 });
    const told = await vi.waitFor(async () => {
      const { notifications } = await bob.notifications.listNotifications({});
      const found = notifications.find((n) => n.type === "webhook.endpoint_disabled" && n.resource === endpoint!.id);
      expect(found).toBeDefined();
      return found!;
    });
    expect(told).toMatchObject({ required: true, title: "Webhook endpoint disabled" });
    await alice.pay("@bob", 5n);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(requestsFor(transfer!.id)).toHaveLength(1);
    expect(receiver.received.filter((r) => r.json.data.body === "@alice sent you 0.05 USD")).toHaveLength(0);
    const replay = await connectErrorOf(
      bob.notifications.replayWebhooks({ endpointId: endpoint!.id, since: timestampFromDate(new Date(0)) }),
    );
    expect(replay.code).toBe(Code.FailedPrecondition);
  });

  it("refuses malformed URLs and unknown event types", async () => {
    for (const url of ["not a url", "ftp://example.com/hook", "http://user:pass@example.com/hook"]) {
      const failure = await connectErrorOf(bob.notifications.createWebhookEndpoint({ url, eventTypes: [] }));
      expect(failure.code, url).toBe(Code.InvalidArgument);
    }
    const unknown = await connectErrorOf(bob.notifications.createWebhookEndpoint({ url: receiver.url, eventTypes: ["transfer.stolen"] }));
    expect(unknown.code).toBe(Code.InvalidArgument);
    expect(unknown.rawMessage).toMatch(/unknown type "transfer.stolen"/);
  });

  it("refuses private and loopback targets unless the setting allows them", async () => {
    const strict = await world.replica({ NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE: "off" });
    const client = world.mesh.client(NotificationService, strict, { subject: "bob" });
    for (const url of [
      receiver.url,
      "http://localhost:8080/hook",
      "http://10.1.2.3/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/hook",
      "http://[::ffff:127.0.0.1]/hook",
      "http://192.168.1.1/hook",
    ]) {
      const failure = await connectErrorOf(client.createWebhookEndpoint({ url, eventTypes: [] }));
      expect(failure.code, url).toBe(Code.InvalidArgument);
      expect(failure.rawMessage, url).toMatch(/private or loopback/);
    }
    await strict.stop();
  });

  it("refuses someone else's endpoint and delivery, saying nothing about them", async () => {
    const { endpoint } = await bob.notifications.createWebhookEndpoint({ url: `${receiver.url}?mine`, eventTypes: [] });
    const { transfer } = await alice.pay("@bob", 6n);
    await vi.waitFor(() => expect(requestsFor(transfer!.id)).toHaveLength(1));
    const { deliveries } = await bob.notifications.listWebhookDeliveries({ endpointId: endpoint!.id });
    const missing = "0190a0c0-0000-7000-8000-000000000000";
    for (const id of [endpoint!.id, missing]) {
      const calls = [
        () => alice.notifications.deleteWebhookEndpoint({ id }),
        () => alice.notifications.rotateWebhookSecret({ id }),
        () => alice.notifications.listWebhookDeliveries({ endpointId: id }),
        () => alice.notifications.replayWebhooks({ endpointId: id, since: timestampFromDate(new Date(0)) }),
      ];
      for (const call of calls) {
        const failure = await connectErrorOf(call());
        expect(failure.code).toBe(Code.PermissionDenied);
        expect(failure.rawMessage).toBe(`webhook endpoint ${id} is not one of yours`);
      }
    }
    const redeliver = await connectErrorOf(alice.notifications.redeliverWebhook({ deliveryId: deliveries[0]!.id }));
    expect(redeliver.code).toBe(Code.PermissionDenied);
    expect((await bob.notifications.listWebhookEndpoints({})).endpoints.map((e) => e.id)).toContain(endpoint!.id);
    await bob.notifications.deleteWebhookEndpoint({ id: endpoint!.id });
  });

  it("delivers on the fourth attempt, once, after three failures and a restart in between", async () => {
    const { endpoint } = await bob.notifications.createWebhookEndpoint({ url: `${receiver.url}?flaky`, eventTypes: [] });
    receiver.answer = (_request, attempt) => (attempt <= 3 ? { status: 500 } : { status: 204 });
    const { transfer } = await alice.pay("@bob", 7n);
    await vi.waitFor(() => expect(requestsFor(transfer!.id)).toHaveLength(3), { timeout: 10_000 });
    // The fourth attempt is 4 s away: stop the instance that made the first three, start another.
    await world.notifications.stop();
    const restarted = await world.replica();
    await vi.waitFor(() => expect(requestsFor(transfer!.id)).toHaveLength(4), { timeout: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const requests = requestsFor(transfer!.id);
    expect(requests).toHaveLength(4);
    expect(new Set(requests.map((request) => request.id)).size).toBe(1);
    const client = world.mesh.client(NotificationService, restarted, { subject: "bob" });
    const delivery = await vi.waitFor(async () => {
      const { deliveries } = await client.listWebhookDeliveries({ endpointId: endpoint!.id });
      const found = deliveries.find((d) => d.messageId === requests[0]!.id)!;
      expect(found.status).toBe(DeliveryStatus.SUCCEEDED);
      return found;
    });
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 204]);
    expect(delivery.attempts.every((a) => a.latencyMs >= 0)).toBe(true);
  }, 40_000);
});
