import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebhookReceiver, type WebhookReceiver } from "../test/start-webhook-receiver.js";
import { checkEndpointUrl, isInternalAddress } from "./endpoint-guard.js";
import { postJson } from "./post-json.js";

let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});

afterAll(() => receiver?.close());

describe("the endpoint guard", () => {
  it("knows internal addresses from public ones", () => {
    for (const address of [
      "127.0.0.1",
      "10.0.0.8",
      "172.20.1.1",
      "192.168.0.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fd00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "224.0.0.1",
      "not-an-ip",
    ]) {
      expect(isInternalAddress(address), address).toBe(true);
    }
    for (const address of ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"]) expect(isInternalAddress(address), address).toBe(false);
  });

  it("requires https when told to", async () => {
    await expect(checkEndpointUrl("http://93.184.216.34/hook", { allowPrivate: false, requireHttps: true })).rejects.toThrow(
      /must be https/,
    );
    await expect(checkEndpointUrl("https://93.184.216.34/hook", { allowPrivate: false, requireHttps: true })).resolves.toBeInstanceOf(URL);
  });

  it("refuses to connect to an internal address at send time, by address or by a name resolving to one", async () => {
    const port = new URL(receiver.url).port;
    for (const url of [receiver.url, `http://localhost:${port}/hooks`]) {
      const outcome = await postJson(new URL(url), {}, "{}", { timeoutMs: 2_000, allowPrivate: false });
      expect(outcome.statusCode, url).toBe(0);
      expect(outcome.error, url).toMatch(/private or loopback/);
    }
    expect(receiver.received).toHaveLength(0);
    const allowed = await postJson(new URL(`http://localhost:${port}/hooks`), {}, "{}", { timeoutMs: 2_000, allowPrivate: true });
    expect(allowed).toMatchObject({ statusCode: 204, error: "" });
    expect(receiver.received).toHaveLength(1);
  });

  it("gives up on an answer that takes longer than the timeout", async () => {
    const { createServer } = await import("node:http");
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address() as { port: number };
    const outcome = await postJson(new URL(`http://127.0.0.1:${address.port}/`), {}, "{}", { timeoutMs: 300, allowPrivate: true });
    silent.closeAllConnections();
    silent.close();
    expect(outcome).toMatchObject({ statusCode: 0, error: "no answer within 300 ms" });
    expect(outcome.latencyMs).toBeGreaterThanOrEqual(290);
  });
});
