import http2 from "node:http2";
import net from "node:net";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { EchoService } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { connectErrorOf, TEST_AUTH } from "@paymesh/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createServiceClient } from "./create-service-client.js";
import { createServiceCredentials } from "./create-service-credentials.js";

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

const serviceClient = (baseUrl: string) =>
  createServiceClient(EchoService, { baseUrl, credentials: createServiceCredentials({ ...TEST_AUTH, service: "transfers" }), retries: 0 });

describe("a service client, when the server did not process its call", () => {
  it("says UNAVAILABLE for a refused stream (REFUSED_STREAM), where connect-node says INTERNAL", async () => {
    const server = http2.createServer();
    server.on("stream", (stream) => {
      stream.on("error", () => {});
      stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    });
    server.on("session", (session) => closers.push(() => session.destroy()));
    const url = await listen(server);

    const plain = await connectErrorOf(createClient(EchoService, createGrpcTransport({ baseUrl: url })).echo({ message: "x" }));
    expect(plain.code).toBe(Code.Internal);
    const error = await connectErrorOf(serviceClient(url).echo({ message: "x" }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/NGHTTP2_REFUSED_STREAM \(the call was not processed; send it again\)$/);
  });

  it("says UNAVAILABLE for a connection reset while it was being set up, where connect-node says ABORTED", async () => {
    const url = await listen(net.createServer((socket) => socket.resetAndDestroy()));

    const plain = await connectErrorOf(createClient(EchoService, createGrpcTransport({ baseUrl: url })).echo({ message: "x" }));
    expect(plain.code).toBe(Code.Aborted);
    const error = await connectErrorOf(serviceClient(url).echo({ message: "x" }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/ECONNRESET .*\(the call was not processed; send it again\)$/);
  });

  it("keeps ABORTED for a connection lost after the call was sent: the server may have processed it", async () => {
    const url = await listen(
      net.createServer((socket) => {
        // Reset once the call has arrived (the preface, settings and its headers).
        socket.once("data", () => setTimeout(() => socket.resetAndDestroy(), 50));
      }),
    );
    const error = await connectErrorOf(serviceClient(url).echo({ message: "x" }));
    expect(error.code).toBe(Code.Aborted);
    expect(error.rawMessage).toBe("read ECONNRESET");
  });
});
