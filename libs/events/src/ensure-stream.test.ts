import { nanos, StorageType } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestNats, type TestNats } from "../../testkit/src/create-test-nats.js";
import { ensureStream } from "./ensure-stream.js";
import { streamNameFor, streamSubjectFor } from "./event-names.js";

let nats: TestNats;
beforeAll(async () => {
  nats = await createTestNats();
});
afterAll(async () => {
  await nats.cleanup();
});

describe("ensureStream", () => {
  it("creates a file-backed stream with a two-minute duplicate window by default", async () => {
    const name = streamNameFor(nats.prefix, "created");
    const info = await ensureStream(nats.jsm, { name, subjects: [streamSubjectFor(nats.prefix, "created")] });
    expect(info.config.storage).toBe(StorageType.File);
    expect(info.config.duplicate_window).toBe(nanos(120_000));
    expect(info.config.subjects).toEqual([`${nats.prefix}.created.>`]);
  });

  it("is idempotent, also when instances declare at the same moment", async () => {
    const name = streamNameFor(nats.prefix, "raced");
    const subjects = [streamSubjectFor(nats.prefix, "raced")];
    const results = await Promise.all(Array.from({ length: 5 }, () => ensureStream(nats.jsm, { name, subjects })));
    expect(new Set(results.map((info) => info.created.toString())).size).toBe(1);
    await nats.js.publish(`${nats.prefix}.raced.kept`, new Uint8Array([1]));
    const again = await ensureStream(nats.jsm, { name, subjects });
    expect(again.state.messages).toBe(1);
  });

  it("brings an existing stream's settings up to date without losing its messages", async () => {
    const name = streamNameFor(nats.prefix, "updated");
    await ensureStream(nats.jsm, { name, subjects: [streamSubjectFor(nats.prefix, "updated")] });
    await nats.js.publish(`${nats.prefix}.updated.kept`, new Uint8Array([1]));
    const info = await ensureStream(nats.jsm, {
      name,
      subjects: [streamSubjectFor(nats.prefix, "updated"), `${nats.prefix}.legacy.>`],
      duplicateWindowMs: 300_000,
    });
    expect(info.config.duplicate_window).toBe(nanos(300_000));
    expect(info.config.subjects).toContain(`${nats.prefix}.legacy.>`);
    expect(info.state.messages).toBe(1);
  });
});
