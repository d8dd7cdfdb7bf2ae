import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { setupTracing } from "@paymesh/runtime";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { startTransfersMesh, type TransfersMesh } from "../test/start-transfers-mesh.js";
import { HISTORY_PROJECTION } from "./apply-history-event.js";
import { transferHistory } from "./schema.js";

// Every service of the mesh runs in this process, so one in-memory exporter sees all their spans,
// as a collector would see them exported from three processes.
const exporter = new InMemorySpanExporter();
const logLines: Array<Record<string, unknown>> = [];
let stopTracing: () => Promise<void>;
let m: TransfersMesh;

beforeAll(async () => {
  stopTracing = setupTracing({ service: "transfers-test", spanProcessors: [new SimpleSpanProcessor(exporter)] });
  m = await startTransfersMesh({
    env: { LOG_LEVEL: "info" },
    transfersLogs: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
  });
});

afterAll(async () => {
  await m?.stop();
  await stopTracing?.();
});

it("follows one payment in one trace: the transfers RPC, the ledger RPC, the relay's publish, the history projection; its log lines carry the trace id", async () => {
  const alice = await m.user("alice");
  await m.user("bob");
  exporter.reset();
  const { transfer } = await alice.pay("@bob", 1_234n);

  const createTransfer = exporter
    .getFinishedSpans()
    .find((span) => span.kind === SpanKind.SERVER && span.name === "paymesh.transfers.v1.TransferService/CreateTransfer");
  expect(createTransfer).toBeDefined();
  const traceId = createTransfer!.spanContext().traceId;
  const inTrace = () => exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
  const parentOf = (span: ReadableSpan) => inTrace().find((other) => other.spanContext().spanId === span.parentSpanContext?.spanId);

  await vi.waitFor(
    () => {
      const spans = inTrace();
      const posted = spans.find((span) => span.kind === SpanKind.SERVER && span.name === "paymesh.ledger.v1.LedgerService/PostEntries");
      const published = spans.find((span) => span.kind === SpanKind.PRODUCER && span.name.endsWith(".transfer_completed"));
      const projected = spans.find(
        (span) =>
          span.kind === SpanKind.CONSUMER &&
          span.attributes["messaging.consumer.group.name"] === HISTORY_PROJECTION &&
          span.name.endsWith(".transfer_completed"),
      );
      expect(posted, "the ledger's PostEntries").toBeDefined();
      expect(published, "the relay's publish of TransferCompleted").toBeDefined();
      expect(projected, "the history projection applying it").toBeDefined();
      // Parent to child: the ledger's server span under transfers' client span under CreateTransfer,
      // the publish under CreateTransfer (which appended the event), the projection under the publish.
      expect(parentOf(posted!)?.kind).toBe(SpanKind.CLIENT);
      expect(parentOf(parentOf(posted!)!)).toBe(createTransfer);
      expect(parentOf(published!)).toBe(createTransfer);
      expect(parentOf(projected!)).toBe(published);
    },
    { timeout: 10_000, interval: 50 },
  );

  // The history rows the projection wrote name the trace, for an operator starting from a row.
  const rows = await m.transfersDb.select().from(transferHistory).where(eq(transferHistory.transferId, transfer!.id));
  expect(rows.map((row) => row.traceId)).toEqual([traceId, traceId]);

  const rpcLine = logLines.find((line) => line.msg === "rpc" && line.method === "paymesh.transfers.v1.TransferService/CreateTransfer");
  expect(rpcLine).toMatchObject({ trace_id: traceId, span_id: createTransfer!.spanContext().spanId });
  expect(transfer?.amount).toBe(1_234n);
});
