import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Code, ConnectError, createClient, type ServiceImpl } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus } from "@paymesh/gen/grpc/health/v1/health_pb";
import * as reflectionV1alpha from "@paymesh/gen/grpc/reflection/v1alpha/reflection_pb";
import { EchoService, FailDetailSchema, FailRequest_Kind } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { connectErrorOf, createEchoService, mintTestToken, startTestServer, TEST_AUTH, type TestServer } from "@paymesh/testkit";
import { SignJWT } from "jose";
import { Gauge } from "prom-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createLogger } from "./create-logger.js";
import { createMetrics } from "./create-metrics.js";
import { createServer } from "./create-server.js";
import { createServiceClient } from "./create-service-client.js";
import { createServiceCredentials } from "./create-service-credentials.js";
import { createTokenVerifier } from "./create-token-verifier.js";

const run = promisify(execFile);
const ORIGIN = "https://app.paymesh.test";

describe("createServer", () => {
  let t: TestServer;
  let failReady = false;
  let failCache = false;

  beforeAll(async () => {
    t = await startTestServer({
      services: [{ service: EchoService, impl: createEchoService() }],
      corsOrigins: [ORIGIN],
      readiness: {
        postgres: async () => {
          if (failReady) throw new Error("connection refused");
        },
      },
      degradedWithout: {
        redis: async () => {
          if (failCache) throw new Error("connection refused");
        },
      },
    });
  });
  afterAll(() => t.stop());

  describe("one port, three protocols", () => {
    it("answers a Connect JSON call over HTTP/1.1", async () => {
      const res = await fetch(`${t.url}/paymesh.testing.v1.EchoService/Echo`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "connect-protocol-version": "1",
          authorization: `Bearer ${await mintTestToken("alice")}`,
        },
        body: JSON.stringify({ message: "hello" }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ message: "hello", subject: "alice", role: "user" });
    });

    it("answers gRPC over cleartext HTTP/2 (prior knowledge)", async () => {
      const res = await t.client(EchoService, { subject: "bob" }, "grpc").echo({ message: "hi" });
      expect(res).toMatchObject({ message: "hi", subject: "bob" });
    });

    it("answers gRPC-Web over HTTP/1.1", async () => {
      const res = await t.client(EchoService, { subject: "carol" }, "grpc-web").echo({ message: "hey" });
      expect(res).toMatchObject({ message: "hey", subject: "carol" });
    });

    it("streams server messages over gRPC and Connect", async () => {
      for (const protocol of ["grpc", "connect"] as const) {
        const seqs: number[] = [];
        for await (const tick of t.client(EchoService, { subject: "dan" }, protocol).tick({ count: 3, intervalMillis: 1 })) {
          seqs.push(tick.seq);
        }
        expect(seqs).toEqual([1, 2, 3]);
      }
    });
  });

  describe("reflection", () => {
    const buf = (...args: string[]) => run("npx", ["buf", "curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args]);

    it("lets an independent client (buf curl) list services and call a method with no .proto", async () => {
      const list = await buf("--list-services", t.url);
      expect(list.stdout.split("\n")).toEqual(
        expect.arrayContaining(["paymesh.testing.v1.EchoService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"]),
      );
      const methods = await buf("--list-methods", t.url);
      expect(methods.stdout).toContain("paymesh.testing.v1.EchoService/Echo");
      const call = await buf(
        "-H",
        `Authorization: Bearer ${await mintTestToken("erin")}`,
        "-d",
        '{"message":"through reflection"}',
        `${t.url}/paymesh.testing.v1.EchoService/Echo`,
      );
      expect(JSON.parse(call.stdout)).toMatchObject({ message: "through reflection", subject: "erin" });
    });

    it("serves v1alpha too, with the file and its imports", async () => {
      const client = createClient(reflectionV1alpha.ServerReflection, t.transport("grpc"));
      async function* requests() {
        yield { messageRequest: { case: "fileContainingSymbol" as const, value: "paymesh.testing.v1.EchoService" } };
        yield { messageRequest: { case: "fileByFilename" as const, value: "missing.proto" } };
      }
      const responses = [];
      for await (const res of client.serverReflectionInfo(requests())) responses.push(res);
      expect(responses[0]?.messageResponse.case).toBe("fileDescriptorResponse");
      const files =
        responses[0]?.messageResponse.case === "fileDescriptorResponse" ? responses[0].messageResponse.value.fileDescriptorProto : [];
      expect(files.length).toBeGreaterThanOrEqual(2); // echo.proto and buf/validate/validate.proto at least
      expect(responses[1]?.messageResponse).toMatchObject({ case: "errorResponse", value: { errorCode: Code.NotFound } });
    });
  });

  describe("auth", () => {
    const key = new TextEncoder().encode(TEST_AUTH.secret);
    const token = (build: (jwt: SignJWT) => SignJWT, alg = "HS256") =>
      build(new SignJWT({ role: "user" }).setProtectedHeader({ alg }).setSubject("mallory").setIssuedAt()).sign(key);
    const call = (bearer: string | undefined) => {
      const client = createClient(
        EchoService,
        t.transport("grpc", [
          (next) => (req) => {
            if (bearer !== undefined) req.header.set("authorization", bearer);
            return next(req);
          },
        ]),
      );
      return client.echo({ message: "x" });
    };
    const valid = (jwt: SignJWT) => jwt.setIssuer(TEST_AUTH.issuer).setAudience(TEST_AUTH.audience).setExpirationTime("5m");

    it.each([
      ["no token", async () => undefined, /missing bearer token/],
      ["a malformed header", async () => "Token abc", /Bearer <token>/],
      [
        "an expired token",
        async () => `Bearer ${await token((j) => valid(j).setExpirationTime(Math.floor(Date.now() / 1000) - 60))}`,
        /expired/,
      ],
      ["a wrong algorithm", async () => `Bearer ${await token(valid, "HS384")}`, /algorithm/],
      ["an unsigned token", async () => `Bearer ${unsigned(TEST_AUTH)}`, /algorithm|malformed/],
      ["a wrong issuer", async () => `Bearer ${await token((j) => valid(j).setIssuer("evil"))}`, /"iss"/],
      ["a wrong audience", async () => `Bearer ${await token((j) => valid(j).setAudience("other"))}`, /"aud"/],
      ["a bad signature", async () => `Bearer ${(await token(valid)).slice(0, -4)}AAAA`, /signature/],
    ])("refuses %s with UNAUTHENTICATED", async (_name, bearer, message) => {
      const error = await connectErrorOf(call(await bearer()));
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.rawMessage).toMatch(message);
    });

    it("lets health through without a token", async () => {
      const res = await createClient(Health, t.transport("grpc")).check({});
      expect(res.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    });
  });

  describe("validation and errors", () => {
    it("refuses a request breaking a protovalidate rule with INVALID_ARGUMENT naming the field", async () => {
      const error = await connectErrorOf(t.client(EchoService, { subject: "alice" }).echo({ message: "" }));
      expect(error).toMatchObject({ code: Code.InvalidArgument });
      expect(error.rawMessage).toContain("message");
    });

    it("turns domain errors into their code and keeps their message and metadata", async () => {
      const client = t.client(EchoService, { subject: "alice" });
      await expect(client.fail({ kind: FailRequest_Kind.NOT_FOUND })).rejects.toMatchObject({
        code: Code.NotFound,
        rawMessage: "no such thing",
      });
      const error = await connectErrorOf(client.fail({ kind: FailRequest_Kind.PRECONDITION }));
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(error.metadata.get("retry-after-ms")).toBe("1000");
    });

    it.each(["grpc", "connect"] as const)("sends a domain error's typed details, readable with findDetails (%s)", async (protocol) => {
      const error = await connectErrorOf(t.client(EchoService, { subject: "alice" }, protocol).fail({ kind: FailRequest_Kind.DETAILED }));
      expect(error.code).toBe(Code.FailedPrecondition);
      const details = error.findDetails(FailDetailSchema);
      expect(details).toHaveLength(1);
      expect(details[0]).toMatchObject({ reason: "detailed", ids: ["a", "b"] });
    });

    it("hides unexpected errors behind INTERNAL with a reference, leaking nothing", async () => {
      const error = await connectErrorOf(
        t.client(EchoService, { subject: "alice" }, "connect").fail({ kind: FailRequest_Kind.UNEXPECTED }),
      );
      expect(error.code).toBe(Code.Internal);
      expect(error.rawMessage).toMatch(/^internal error \(ref [0-9a-f-]{36}\)$/);
      expect(JSON.stringify(error)).not.toMatch(/secret_table|db\.ts/);
    });
  });

  describe("HTTP endpoints", () => {
    it("answers a CORS preflight for an allowed origin with Connect's and our headers", async () => {
      const res = await fetch(`${t.url}/paymesh.testing.v1.EchoService/Echo`, {
        method: "OPTIONS",
        headers: {
          origin: ORIGIN,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization,content-type",
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
      const allowed = res.headers.get("access-control-allow-headers")!.toLowerCase();
      for (const header of ["authorization", "traceparent", "connect-protocol-version", "content-type", "grpc-timeout"]) {
        expect(allowed).toContain(header);
      }
    });

    it("gives no CORS grant to an unknown origin", async () => {
      const res = await fetch(`${t.url}/paymesh.testing.v1.EchoService/Echo`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.test" },
      });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    });

    it("serves /healthz, /readyz (503 without what every call needs, degraded without the rest) and /metrics", async () => {
      expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${t.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready", checks: { postgres: "ok", redis: "ok" } });
      failCache = true;
      const degraded = await fetch(`${t.url}/readyz`);
      expect(degraded.status).toBe(200);
      expect(await degraded.json()).toEqual({ status: "degraded", checks: { postgres: "ok", redis: "unreachable" } });
      failReady = true;
      const notReady = await fetch(`${t.url}/readyz`);
      failReady = false;
      failCache = false;
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ status: "not ready", checks: { postgres: "unreachable", redis: "unreachable" } });
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      expect(metrics).toMatch(/rpc_server_requests_total\{[^}]*method="paymesh.testing.v1.EchoService\/Echo"[^}]*code="ok"[^}]*\} \d+/);
      expect(metrics).toMatch(/rpc_server_duration_seconds_bucket\{/);
    });
  });
});

describe("a failing metrics collector", () => {
  it("answers /metrics with 500 and keeps serving, rather than ending the process", async () => {
    const metrics = createMetrics({ service: "test", processMetrics: false });
    new Gauge({
      name: "backlog",
      help: "A gauge whose source (a database that is away) cannot be read.",
      registers: [metrics.registry],
      collect: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")),
    });
    const server = createServer({
      name: "test",
      services: [],
      logger: createLogger({ service: "test", level: "silent" }),
      verifyToken: createTokenVerifier(TEST_AUTH),
      metrics,
    });
    await server.start();
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(500);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe("graceful shutdown", () => {
  it("turns health NOT_SERVING, drains in-flight calls, then refuses new ones", async () => {
    const t = await startTestServer({ services: [{ service: EchoService, impl: createEchoService() }] });
    const health = createClient(Health, t.transport("grpc"));
    const watch = health.watch({ service: "paymesh.testing.v1.EchoService" })[Symbol.asyncIterator]();
    expect((await watch.next()).value?.status).toBe(HealthCheckResponse_ServingStatus.SERVING);

    const client = t.client(EchoService, { subject: "alice" });
    const inFlight = client.sleep({ millis: 300 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = t.stop();

    expect((await watch.next()).value?.status).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
    await expect(inFlight).resolves.toMatchObject({ millis: 300 });
    await stopped;
    await expect(t.client(EchoService, { subject: "alice" }).echo({ message: "late" })).rejects.toMatchObject({ code: Code.Unavailable });
  });
});

describe("graceful shutdown, told truthfully", () => {
  type Outcome = "ok" | keyof typeof Code;
  const outcomeOf = (call: Promise<unknown>): Promise<Outcome> =>
    call.then(
      () => "ok",
      (error: unknown) => Code[ConnectError.from(error).code] as keyof typeof Code,
    );
  const count = (outcomes: Outcome[]) => Object.fromEntries([...new Set(outcomes)].map((o) => [o, outcomes.filter((x) => x === o).length]));

  it("answers each call in flight or says UNAVAILABLE, and says UNAVAILABLE to each call started once shutdown began", async () => {
    const echo = createEchoService();
    let sleeping = 0;
    const impl: ServiceImpl<typeof EchoService> = {
      ...echo,
      async sleep(req, ctx) {
        sleeping++;
        const slept = await echo.sleep(req, ctx);
        // Cut at the end of the grace, a handler may still need a moment (say, to roll back).
        if (ctx.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 100));
        return slept;
      },
    };
    const t = await startTestServer({ services: [{ service: EchoService, impl }], shutdownGraceMs: 300 });
    // How transfers calls the ledger, and how a browser calls us.
    const service = createServiceClient(EchoService, {
      baseUrl: t.url,
      credentials: createServiceCredentials({ ...TEST_AUTH, service: "transfers" }),
      retries: 0,
    });
    const browser = t.client(EchoService, { subject: "alice" }, "connect");
    await Promise.all([service.echo({ message: "connect" }), browser.echo({ message: "connect" })]);

    // Some finish within the grace; the rest, most of them, are cut at its end, all at once.
    const inFlight = [
      ...Array.from({ length: 20 }, (_, i) => [outcomeOf(service.sleep({ millis: 30 * i })), outcomeOf(browser.sleep({ millis: 30 * i }))]),
      ...Array.from({ length: 60 }, () => outcomeOf(service.sleep({ millis: 5_000 }))),
    ].flat();
    await vi.waitFor(() => expect(sleeping).toBe(100));
    const late: Array<Promise<Outcome>> = [];
    const lateFromBrowser: Array<Promise<Outcome>> = [];
    let stopped = false;
    const stopping = t.stop().then(() => (stopped = true));
    // A burst on the heels of stop(), racing its GOAWAY, then a call every few milliseconds.
    for (let i = 0; i < 20; i++) late.push(outcomeOf(service.sleep({ millis: 1 })));
    while (!stopped) {
      late.push(outcomeOf(service.sleep({ millis: 1 })));
      lateFromBrowser.push(outcomeOf(browser.sleep({ millis: 1 })));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await stopping;

    const answered = await Promise.all(inFlight);
    expect(
      answered.filter((o) => o !== "ok" && o !== "Unavailable"),
      JSON.stringify(count(answered)),
    ).toEqual([]);
    // Refused streams, the server's own answer, a connection refused or reset while opening.
    const refused = await Promise.all(late);
    expect(refused.length).toBeGreaterThan(10);
    expect(count(refused)).toEqual({ Unavailable: refused.length });
    // The browser's HTTP/1.1 client has no such care: a request it sends on a kept-alive
    // connection just as the server closes it fails as connect-node sees it (EPIPE, ECONNRESET).
    // But no call started once shutdown began was processed, whoever sent it.
    expect((await Promise.all(lateFromBrowser)).filter((o) => o === "ok")).toEqual([]);
    expect(sleeping).toBe(100);
  });
});

describe("TLS", () => {
  it("serves gRPC over h2 and Connect over HTTP/1.1 on one TLS port when a certificate is configured", async () => {
    const dir = await mkdtemp(join(tmpdir(), "paymesh-tls-"));
    const [certFile, keyFile] = [join(dir, "cert.pem"), join(dir, "key.pem")];
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ]);
    const ca = await readFile(certFile, "utf8");
    const t = await startTestServer({ services: [{ service: EchoService, impl: createEchoService() }], tls: { certFile, keyFile, ca } });
    try {
      expect(t.url).toMatch(/^https:/);
      expect(await t.client(EchoService, { subject: "tina" }, "grpc").echo({ message: "h2" })).toMatchObject({ message: "h2" });
      expect(await t.client(EchoService, { subject: "tina" }, "connect").echo({ message: "h1" })).toMatchObject({ message: "h1" });
    } finally {
      await t.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function unsigned(auth: { issuer: string; audience: string }): string {
  const enc = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${enc({ alg: "none", typ: "JWT" })}.${enc({ sub: "mallory", iss: auth.issuer, aud: auth.audience, iat: now, exp: now + 60, role: "operator" })}.`;
}
