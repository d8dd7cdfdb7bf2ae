import http2 from "node:http2";
import net from "node:net";
import { EchoService } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { createEchoService, startTestServer, type TestServer } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const HEADERS_MS = 300;
const IDLE_MS = 400;

describe("connection timeouts", () => {
  let t: TestServer;
  let port: number;

  beforeAll(async () => {
    t = await startTestServer({
      services: [{ service: EchoService, impl: createEchoService() }],
      timeouts: { headersMs: HEADERS_MS, requestMs: 2 * HEADERS_MS, idleMs: IDLE_MS },
    });
    port = t.server.port;
  });
  afterAll(() => t.stop());

  it("closes a connection that never says anything", async () => {
    const socket = await connect(port);
    await vi.waitFor(() => expect(socket.closed).toBe(true), { timeout: 10 * HEADERS_MS });
  });

  it("answers 408 and closes an HTTP/1.1 connection whose headers trickle in, though bytes keep coming", async () => {
    const socket = await connect(port);
    let received = "";
    socket.on("data", (chunk) => (received += chunk));
    socket.write("POST /paymesh.testing.v1.EchoService/Echo HTTP/1.1\r\nHost: paymesh\r\n");
    // One header line at a time, each well inside the headers timeout: only the total is too slow.
    const trickle = setInterval(() => socket.writable && socket.write(`X-Slow-${Date.now()}: 1\r\n`), HEADERS_MS / 6);
    try {
      await vi.waitFor(() => expect(socket.closed).toBe(true), { timeout: 10 * HEADERS_MS });
    } finally {
      clearInterval(trickle);
    }
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("closes a silent HTTP/2 connection with a GOAWAY", async () => {
    const session = http2.connect(t.url);
    const events: string[] = [];
    session.on("goaway", () => events.push("goaway"));
    session.on("close", () => events.push("close"));
    await new Promise((resolve) => session.once("connect", resolve));
    await vi.waitFor(() => expect(events.at(-1)).toBe("close"), { timeout: 10 * IDLE_MS });
    expect(events[0]).toBe("goaway");
  });

  it("tells HTTP/2 clients that a connection may have at most 1,000 streams open at once", async () => {
    const session = http2.connect(t.url);
    try {
      await new Promise((resolve) => session.once("remoteSettings", resolve));
      expect(session.remoteSettings.maxConcurrentStreams).toBe(1_000);
    } finally {
      session.destroy();
    }
  });

  it("keeps an HTTP/2 connection open while a server stream on it is active, however long it lasts", async () => {
    // 30 ticks 50 ms apart: the stream outlasts the idle timeout three times over.
    const ticks: number[] = [];
    for await (const tick of t.client(EchoService, { subject: "alice" }).tick({ count: 30, intervalMillis: IDLE_MS / 8 })) {
      ticks.push(tick.seq);
    }
    expect(ticks).toHaveLength(30);
  });

  it("keeps a quiet stream while its peer answers PINGs, and cuts it once the peer stops answering", async () => {
    const proxy = await startFreezableProxy(port);
    try {
      const session = http2.connect(`http://127.0.0.1:${proxy.port}`);
      let pings = 0;
      session.on("ping", () => pings++);
      session.on("error", () => {});
      // A health Watch says nothing after its first answer while the status holds.
      const watch = session.request({
        ":method": "POST",
        ":path": "/grpc.health.v1.Health/Watch",
        "content-type": "application/grpc",
        te: "trailers",
      });
      watch.on("error", () => {});
      let answers = 0;
      watch.on("data", () => answers++);
      watch.end(Buffer.alloc(5)); // one empty HealthCheckRequest: the overall status
      await vi.waitFor(() => expect(pings).toBeGreaterThanOrEqual(2), { timeout: 20 * IDLE_MS });
      expect(watch.closed).toBe(false);
      expect(answers).toBe(1);

      proxy.freeze();
      await vi.waitFor(() => expect(proxy.upstreamClosed()).toBe(true), { timeout: 20 * IDLE_MS });
      session.destroy();
    } finally {
      proxy.close();
    }
  });
});

async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  await new Promise((resolve) => socket.once("connect", resolve));
  return socket;
}

/**
 * A TCP proxy to `target` that can stop forwarding, as a peer that died without closing does
 * (whatever either side sends is then dropped, so neither hears from the other).
 */
async function startFreezableProxy(target: number) {
  const pairs: Array<[net.Socket, net.Socket]> = [];
  const server = net.createServer((downstream) => {
    const upstream = net.connect(target, "127.0.0.1");
    downstream.on("error", () => {});
    upstream.on("error", () => {});
    downstream.pipe(upstream);
    upstream.pipe(downstream);
    pairs.push([downstream, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze() {
      for (const [downstream, upstream] of pairs) {
        downstream.unpipe(upstream);
        upstream.unpipe(downstream);
        // Still read, so that the server closing its end is seen.
        downstream.resume();
        upstream.resume();
      }
    },
    upstreamClosed: () => pairs.length > 0 && pairs.every(([, upstream]) => upstream.closed),
    close() {
      for (const [downstream, upstream] of pairs) {
        downstream.destroy();
        upstream.destroy();
      }
      server.close();
    },
  };
}
