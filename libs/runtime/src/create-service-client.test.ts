import { Code } from "@connectrpc/connect";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { EchoService } from "@paymesh/gen/paymesh/testing/v1/echo_pb";
import { connectErrorOf, createEchoService, startTestServer, TEST_AUTH, type TestServer } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceClient } from "./create-service-client.js";
import { createServiceCredentials } from "./create-service-credentials.js";
import { setupTracing } from "./setup-tracing.js";

describe("createServiceClient", () => {
  const exporter = new InMemorySpanExporter();
  let shutdownTracing: () => Promise<void>;
  let t: TestServer;

  beforeAll(async () => {
    shutdownTracing = setupTracing({ service: "test", spanProcessors: [new SimpleSpanProcessor(exporter)] });
    t = await startTestServer({ services: [{ service: EchoService, impl: createEchoService() }] });
  });
  afterAll(async () => {
    await t.stop();
    await shutdownTracing();
  });

  const client = (timeoutMs?: number) =>
    createServiceClient(EchoService, {
      baseUrl: t.url,
      credentials: createServiceCredentials({ ...TEST_AUTH, service: "transfers" }),
      timeoutMs,
    });

  it("calls as the service, with the service role", async () => {
    expect(await client().echo({ message: "ping" })).toMatchObject({ message: "ping", subject: "transfers", role: "service" });
  });

  it("puts a deadline on every call", async () => {
    const error = await connectErrorOf(client(100).sleep({ millis: 2_000 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
  });

  it("carries the trace: the server span is a child of the client span", async () => {
    exporter.reset();
    await client().echo({ message: "traced" });
    const spans = exporter.getFinishedSpans().filter((span) => span.name === "paymesh.testing.v1.EchoService/Echo");
    const clientSpan = spans.find((span) => span.kind === SpanKind.CLIENT);
    const serverSpan = spans.find((span) => span.kind === SpanKind.SERVER);
    expect(clientSpan).toBeDefined();
    expect(serverSpan?.spanContext().traceId).toBe(clientSpan?.spanContext().traceId);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(clientSpan?.spanContext().spanId);
  });
});
