// The production overlay's EVENTS_STREAM_REPLICAS, given to a real service on a real 3-node
// JetStream cluster (the shape deploy/k8s/nats/values.yaml deploys): its stream is created on
// file storage with that many replicas, and its events land there.
import { randomUUID } from "node:crypto";
import { streamNameFor } from "@paymesh/events";
import { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { createTestMesh, type NatsCluster, startNatsCluster, type TestMesh } from "@paymesh/testkit";
import { connect, StorageType } from "nats";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { ledgerService } from "../services/ledger/src/index.js";
import { K8S_DIR, renderKustomization } from "./render-kustomization.js";

let cluster: NatsCluster;
let mesh: TestMesh;

beforeAll(async () => {
  cluster = await startNatsCluster({ size: 3 });
  mesh = await createTestMesh();
}, 60_000);
afterAll(async () => {
  await mesh?.stop();
  await cluster?.destroy();
});

it("creates each service's stream with the production replica count on file storage, and publishes to it", async () => {
  const config = renderKustomization(`${K8S_DIR}/overlays/production`).find(
    (o) => o.kind === "ConfigMap" && o.metadata.name === "paymesh-config",
  )!.data as Record<string, string>;
  const replicas = Number(config.EVENTS_STREAM_REPLICAS);
  expect(replicas).toBe(3);

  const ledger = await mesh.start(ledgerService, { NATS_URL: cluster.url, EVENTS_STREAM_REPLICAS: String(replicas) });
  await mesh
    .client(LedgerService, ledger, { subject: "ops", role: "operator" })
    .createAccount({ id: randomUUID(), currency: "USD", owner: "bank" });

  const nc = await connect({ servers: cluster.urls });
  try {
    const jsm = await nc.jetstreamManager();
    const name = streamNameFor(mesh.prefix, "ledger");
    const info = await jsm.streams.info(name);
    expect(info.config.num_replicas).toBe(3);
    expect(info.config.storage).toBe(StorageType.File);
    expect(1 + (info.cluster?.replicas?.length ?? 0), "leader and followers").toBe(3);
    await vi.waitFor(async () => expect((await jsm.streams.info(name)).state.messages).toBeGreaterThan(0), { timeout: 10_000 });
  } finally {
    await nc.close();
  }
}, 60_000);
