import http2 from "node:http2";
import { createGzip } from "node:zlib";
import { create } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code, createClient } from "@connectrpc/connect";
import { compressionGzip, createGrpcTransport } from "@connectrpc/connect-node";
import { EchoRequestSchema, EchoService, SleepRequestSchema } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { connectErrorOf, createEchoService, mintTestToken, startTestServer, type TestServer } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcHandler } from "./create-rpc-handler.js";

const LIMIT = 4_096;
const ECHO_LIMIT = 65_536;
const PROTOCOLS = ["grpc", "connect", "grpc-web"] as const;

/** An EchoRequest padded with an unknown field (kept, not validated) to about `bytes`. */
const padded = (bytes: number, fill = 0x61) => {
  const message = create(EchoRequestSchema, { message: "padded" });
  const data = new BinaryWriter().bytes(new Uint8Array(bytes).fill(fill)).finish();
  message.$unknown = [{ no: 99, wireType: WireType.LengthDelimited, data }];
  return message;
};

/** What a server holds on to, measured in the test process, which also runs the server. */
const rssMb = () => process.memoryUsage().rss / 1_048_576;

describe("request limits and the gate before the body", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({
      services: [
        {
          service: EchoService,
          impl: createEchoService(),
          readLimits: { Echo: { maxBytes: ECHO_LIMIT, roles: ["service"] } },
        },
      ],
      readMaxBytes: LIMIT,
    });
  });
  afterAll(() => t.stop());

  it.each(PROTOCOLS)(
    "refuses a message over the limit with RESOURCE_EXHAUSTED naming the limit, and nothing internal (%s)",
    async (protocol) => {
      const error = await connectErrorOf(t.client(EchoService, { subject: "alice" }, protocol).echo(padded(2 * LIMIT)));
      expect(error.code).toBe(Code.ResourceExhausted);
      expect(error.rawMessage).toMatch(new RegExp(`larger than configured readMaxBytes ${LIMIT}`));
      expect(JSON.stringify({ message: error.rawMessage, details: error.details })).not.toMatch(/internal|parse|\.ts|\.js|at /);
    },
  );

  it("gives a method its own limit, only for the roles it names; other methods and callers keep the server's", async () => {
    const big = padded(4 * LIMIT);
    expect(await t.client(EchoService, { subject: "transfers", role: "service" }).echo(big)).toMatchObject({ message: "padded" });
    const asUser = await connectErrorOf(t.client(EchoService, { subject: "alice", role: "user" }).echo(big));
    expect(asUser.code).toBe(Code.ResourceExhausted);
    const sleep = create(SleepRequestSchema, { millis: 1 });
    sleep.$unknown = big.$unknown;
    const otherMethod = await connectErrorOf(t.client(EchoService, { subject: "transfers", role: "service" }).sleep(sleep));
    expect(otherMethod.code).toBe(Code.ResourceExhausted);
  });

  it("refuses a compressed message that is small but inflates past the limit", async () => {
    const client = createClient(
      EchoService,
      createGrpcTransport({
        baseUrl: t.url,
        sendCompression: compressionGzip,
        interceptors: [
          (next) => async (req) => {
            req.header.set("authorization", `Bearer ${await mintTestToken("alice")}`);
            return next(req);
          },
        ],
      }),
    );
    // A mebibyte of zeros gzips to about a kilobyte, well under the limit.
    const error = await connectErrorOf(client.echo(padded(1_048_576, 0)));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(new RegExp(`larger than configured readMaxBytes ${LIMIT} after decompression`));
  });

  it("answers a raw gRPC client's oversized message, then drains the rest so its stream ends", async () => {
    const session = http2.connect(t.url);
    try {
      // 256 KiB: four times HTTP/2's initial window, so the client is stuck unless the server reads on.
      const trailers = await grpcCall(session, Buffer.alloc(262_144), `Bearer ${await mintTestToken("alice")}`);
      expect(trailers["grpc-status"]).toBe(String(Code.ResourceExhausted));
      expect(decodeURIComponent(String(trailers["grpc-message"]))).toBe(
        `message size 262144 is larger than configured readMaxBytes ${LIMIT}`,
      );
    } finally {
      session.close();
    }
  });

  it("tells an anonymous caller it is unauthenticated before telling it its request is too large", async () => {
    const res = await fetch(`${t.url}/paymesh.testing.v1.EchoService/Echo`, {
      method: "POST",
      headers: { "content-type": "application/proto", "connect-protocol-version": "1" },
      body: new Uint8Array(2 * LIMIT),
    });
    expect(res.status).toBe(401);
  });

  it("refuses a server stream without a token, as before", async () => {
    const error = await connectErrorOf(t.client(EchoService).tick({ count: 1 })[Symbol.asyncIterator]().next());
    expect(error.code).toBe(Code.Unauthenticated);
  });
});

describe("a gzip bomb (about 400 KB inflating to 400 MB), with the default limit", () => {
  let t: TestServer;
  let bomb: Buffer;
  let before: number;

  beforeAll(async () => {
    t = await startTestServer({ services: [{ service: EchoService, impl: createEchoService() }] });
    bomb = await gzipOfZeros(400 * 1_048_576);
    before = rssMb();
  });
  afterAll(() => t.stop());

  it("without a token, is refused UNAUTHENTICATED over gRPC (HTTP/2) without being read, its stream closed", async () => {
    const session = http2.connect(t.url);
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => grpcCall(session, bomb)));
      for (const trailers of answers) {
        expect(trailers["grpc-status"]).toBe(String(Code.Unauthenticated));
        expect(decodeURIComponent(String(trailers["grpc-message"]))).toBe("missing bearer token in the authorization header");
      }
    } finally {
      session.close();
    }
  });

  it("without a token, is refused UNAUTHENTICATED over Connect (HTTP/1.1), closing the connection instead of reading on", async () => {
    const res = await fetch(`${t.url}/paymesh.testing.v1.EchoService/Echo`, {
      method: "POST",
      headers: { "content-type": "application/proto", "content-encoding": "gzip", "connect-protocol-version": "1" },
      body: bomb,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("connection")).toBe("close");
    expect(await res.json()).toEqual({ code: "unauthenticated", message: "missing bearer token in the authorization header" });
  });

  it("with a token, is refused RESOURCE_EXHAUSTED once 1 MiB is inflated", async () => {
    const session = http2.connect(t.url);
    try {
      const trailers = await grpcCall(session, bomb, `Bearer ${await mintTestToken("alice")}`);
      expect(trailers["grpc-status"]).toBe(String(Code.ResourceExhausted));
      expect(decodeURIComponent(String(trailers["grpc-message"]))).toBe(
        "message is larger than configured readMaxBytes 1048576 after decompression",
      );
    } finally {
      session.close();
    }
  });

  it("leaves the process's memory where it was (the old server grew by 850 MB per bomb and kept it)", () => {
    expect(rssMb() - before).toBeLessThan(100);
  });
});

describe("createRpcHandler", () => {
  it("counts each refused call once, in the RPC metrics like any other", async () => {
    const t = await startTestServer({ services: [{ service: EchoService, impl: createEchoService() }] });
    try {
      await connectErrorOf(t.client(EchoService).echo({ message: "x" }));
      await connectErrorOf(t.client(EchoService).tick({ count: 1 })[Symbol.asyncIterator]().next());
      const text = await (await fetch(`${t.url}/metrics`)).text();
      expect(text).toMatch(/rpc_server_requests_total\{method="paymesh.testing.v1.EchoService\/Echo",code="unauthenticated"[^}]*\} 1\n/);
      expect(text).toMatch(/rpc_server_requests_total\{method="paymesh.testing.v1.EchoService\/Tick",code="unauthenticated"[^}]*\} 1\n/);
    } finally {
      await t.stop();
    }
  });

  it("refuses to start with a read limit for a method the service does not have", () => {
    const options = {
      interceptors: [],
      shutdownSignal: new AbortController().signal,
      readMaxBytes: LIMIT,
      authenticate: () => Promise.reject(new Error("unused")),
      admit: () => undefined,
      onRefused: () => {},
      startUnary: () => () => {},
      logger: undefined as never,
    };
    expect(() =>
      createRpcHandler({
        ...options,
        services: [{ service: EchoService, impl: createEchoService(), readLimits: { Shout: { maxBytes: 1 } } }],
      }),
    ).toThrow(/paymesh.testing.v1.EchoService declares a read limit for Shout/);
  });
});

/** Gzip of `bytes` zero bytes, made a megabyte at a time so the test itself stays small. */
async function gzipOfZeros(bytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve) => gzip.on("end", resolve));
  const megabyte = Buffer.alloc(1_048_576);
  for (let written = 0; written < bytes; written += megabyte.length) {
    if (!gzip.write(megabyte)) await new Promise((resolve) => gzip.once("drain", resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

/** A gRPC call to Echo with `compressed` as its one gzip message; its trailers, once its stream closed. */
function grpcCall(session: http2.ClientHttp2Session, compressed: Buffer, authorization?: string): Promise<http2.IncomingHttpHeaders> {
  const envelope = Buffer.alloc(5);
  envelope[0] = 1; // compressed
  envelope.writeUInt32BE(compressed.length, 1);
  const stream = session.request({
    ":method": "POST",
    ":path": "/paymesh.testing.v1.EchoService/Echo",
    "content-type": "application/grpc",
    "grpc-encoding": "gzip",
    te: "trailers",
    ...(authorization === undefined ? {} : { authorization }),
  });
  stream.resume();
  stream.on("error", () => {});
  stream.end(Buffer.concat([envelope, compressed]));
  const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once("trailers", resolve));
  // The server does not read the rest of a refused body: it ends the stream (RST_STREAM
  // NO_ERROR) after its answer, rather than leave it open with the client blocked mid-send.
  return new Promise((resolve) => stream.once("close", () => resolve(trailers)));
}
