import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Code } from "@connectrpc/connect";
import { Category, Channel } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { connectErrorOf } from "@paymesh/testkit";
import { sql } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type NotificationsMesh, startNotificationsMesh, type TestUser } from "../test/start-notifications-mesh.js";
import { startWebhookReceiver, type WebhookReceiver } from "../test/start-webhook-receiver.js";

interface Mail {
  from: string;
  to: string[];
  data: string;
}

let world: NotificationsMesh;
let alice: TestUser;
let bob: TestUser;
const mails: Mail[] = [];
let smtp: SMTPServer;
const provided: Array<{ path: string; authorization: string; body: { id: string; to: string; title: string; text: string } }> = [];
let provider: ReturnType<typeof createServer>;
let receiver: WebhookReceiver;

beforeAll(async () => {
  // A real SMTP server: what nodemailer sends arrives here as it would at any mail server.
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom === false ? "" : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((to) => to.address),
          data: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  // The SMS and push provider, as an HTTP API that accepts messages.
  provider = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      provided.push({
        path: req.url ?? "",
        authorization: req.headers.authorization ?? "",
        body: JSON.parse(Buffer.concat(chunks).toString()),
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  const providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  receiver = await startWebhookReceiver();
  world = await startNotificationsMesh({
    env: {
      NOTIFICATIONS_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      NOTIFICATIONS_EMAIL_FROM: "paymesh <notify@paymesh.test>",
      NOTIFICATIONS_SMS_URL: `${providerUrl}/sms`,
      NOTIFICATIONS_SMS_TOKEN: "sms-token",
      NOTIFICATIONS_PUSH_URL: `${providerUrl}/push`,
      NOTIFICATIONS_PUSH_TOKEN: "push-token",
      NOTIFICATIONS_DELIVERY_INTERVAL_MS: "50",
      NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE: "on",
      NOTIFICATIONS_RETRY_SCHEDULE_MS: "0,100,100",
      NOTIFICATIONS_WEBHOOK_DISABLE_AFTER_MS: "0",
    },
  });
  [alice, bob] = await Promise.all([world.user("alice"), world.user("bob")]);
}, 60_000);

afterAll(async () => {
  await world?.stop();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
  await new Promise((resolve) => provider?.close(resolve));
  await receiver?.close();
});

const contacts = { email: "bob@example.test", phone: "+14155550100", pushToken: "device-1" };

describe("preferences", () => {
  it("shows every category × channel with defaults, security required", async () => {
    const { preferences } = await alice.notifications.getPreferences({});
    expect(preferences!.preferences).toHaveLength(20);
    const cell = (category: Category, channel: Channel) =>
      preferences!.preferences.find((p) => p.category === category && p.channel === channel)!;
    expect(cell(Category.PAYMENTS, Channel.INBOX)).toMatchObject({ enabled: true, required: false });
    expect(cell(Category.PAYMENTS, Channel.SMS)).toMatchObject({ enabled: false, required: false });
    expect(cell(Category.SECURITY, Channel.SMS)).toMatchObject({ enabled: true, required: true });
  });

  it("refuses to switch off a required category and changes nothing", async () => {
    const failure = await connectErrorOf(
      alice.notifications.updatePreferences({
        preferences: [
          { category: Category.PAYMENTS, channel: Channel.EMAIL, enabled: false },
          { category: Category.SECURITY, channel: Channel.EMAIL, enabled: false },
        ],
      }),
    );
    expect(failure.code).toBe(Code.FailedPrecondition);
    expect(failure.rawMessage).toMatch(/security notifications are required/);
    const { preferences } = await alice.notifications.getPreferences({});
    expect(preferences!.preferences.find((p) => p.category === Category.PAYMENTS && p.channel === Channel.EMAIL)!.enabled).toBe(true);
  });

  it("refuses bad input", async () => {
    const calls = [
      () => alice.notifications.updatePreferences({ preferences: [{ category: Category.UNSPECIFIED, channel: Channel.EMAIL }] }),
      () => alice.notifications.updatePreferences({ quietHours: { enabled: true, startMinute: 1440 } }),
      () => alice.notifications.updatePreferences({ quietHours: { enabled: true, timeZone: "Mars/Olympus" } }),
      () => alice.notifications.updatePreferences({ contacts: { email: "not-an-address" } }),
      () => alice.notifications.updatePreferences({ contacts: { phone: "0123" } }),
    ];
    for (const call of calls) expect((await connectErrorOf(call())).code).toBe(Code.InvalidArgument);
  });

  it("keeps a switched-off category out of the inbox, but never a required notification", async () => {
    const carol = await world.user("carol", { balance: 10n });
    await carol.notifications.updatePreferences({ preferences: [{ category: Category.PAYMENTS, channel: Channel.INBOX, enabled: false }] });
    const { transfer: received } = await alice.pay("@carol", 100n);
    const { transfer: failed } = await carol.pay("@alice", 1_000n);
    expect(failed!.status).toBe(3);
    const { notifications } = await vi.waitFor(async () => {
      const listed = await carol.notifications.listNotifications({});
      expect(listed.notifications.some((n) => n.resource === failed!.id)).toBe(true);
      return listed;
    });
    // One consumer applies the transfers stream in order: the payment to carol came first.
    expect(notifications.some((n) => n.resource === received!.id)).toBe(false);
    expect(notifications.find((n) => n.resource === failed!.id)!.type).toBe("transfer.failed");
  });
});

describe("channels", () => {
  it("emails, texts and pushes through the configured servers", async () => {
    await bob.notifications.updatePreferences({
      contacts,
      preferences: [{ category: Category.PAYMENTS, channel: Channel.SMS, enabled: true }],
    });
    const { transfer } = await alice.pay("@bob", 1234n, "rent");
    const mail = await vi.waitFor(() => {
      const found = mails.find((m) => m.data.includes(`@alice sent you 12.34 USD: rent`));
      expect(found).toBeDefined();
      return found!;
    });
    expect(mail.to).toEqual(["bob@example.test"]);
    expect(mail.from).toBe("notify@paymesh.test");
    expect(mail.data).toMatch(/Subject: Payment received/);
    const sms = await vi.waitFor(() => {
      const found = provided.find((p) => p.path === "/sms" && p.body.text.includes("12.34 USD: rent"));
      expect(found).toBeDefined();
      return found!;
    });
    expect(sms).toMatchObject({ authorization: "Bearer sms-token", body: { to: "+14155550100", title: "Payment received" } });
    const push = await vi.waitFor(() => {
      const found = provided.find((p) => p.path === "/push" && p.body.text.includes("12.34 USD: rent"));
      expect(found).toBeDefined();
      return found!;
    });
    expect(push).toMatchObject({ authorization: "Bearer push-token", body: { to: "device-1" } });
    expect(push.body.id).toBe(sms.body.id);
    expect(transfer!.status).toBe(2);
  });

  it("defers email, SMS and push in quiet hours, except for required notifications", async () => {
    const dave = await world.user("dave", { balance: 10n });
    const now = new Date();
    const minute = now.getUTCHours() * 60 + now.getUTCMinutes();
    await dave.notifications.updatePreferences({
      contacts: { email: "dave@example.test", phone: "", pushToken: "" },
      quietHours: { enabled: true, startMinute: (minute + 1439) % 1440, endMinute: (minute + 120) % 1440, timeZone: "UTC" },
    });
    const { transfer: received } = await alice.pay("@dave", 500n);
    const { transfer: failed } = await dave.pay("@alice", 1_000n);
    await vi.waitFor(() => expect(mails.some((m) => m.to.includes("dave@example.test") && m.data.includes("Payment failed"))).toBe(true));
    const deferred = await world.db.execute<{ due: Date }>(
      sql`select next_attempt_at as due from deliveries where target = 'dave@example.test' and status = 'pending' and event_type = 'transfer.received'`,
    );
    expect(deferred).toHaveLength(1);
    expect(new Date(deferred[0]!.due).getTime()).toBeGreaterThan(Date.now() + 60 * 60_000);
    expect(mails.some((m) => m.to.includes("dave@example.test") && m.data.includes("5.00 USD"))).toBe(false);
    expect(received!.status).toBe(2);
    expect(failed!.status).toBe(3);
  });

  it("disables an endpoint failing longer than the limit and tells its owner", async () => {
    receiver.answer = () => ({ status: 503 });
    const { endpoint } = await bob.notifications.createWebhookEndpoint({ url: receiver.url, eventTypes: ["transfer.received"] });
    await alice.pay("@bob", 7n);
    await vi.waitFor(async () => {
      const { endpoints } = await bob.notifications.listWebhookEndpoints({});
      expect(endpoints.find((e) => e.id === endpoint!.id)).toMatchObject({ disabled: true });
    });
    const { notifications } = await bob.notifications.listNotifications({});
    expect(notifications.find((n) => n.type === "webhook.endpoint_disabled" && n.resource === endpoint!.id)).toBeDefined();
  });
});
