import { streamNameFor } from "@paymesh/events";
import { connect } from "nats";
import { describe, expect, it } from "vitest";
import { createTestNats } from "./create-test-nats.js";

describe("createTestNats", () => {
  it("hands out distinct prefixes", async () => {
    const [a, b] = await Promise.all([createTestNats(), createTestNats()]);
    try {
      expect(a.prefix).toMatch(/^t_[0-9a-f]{8}$/);
      expect(a.prefix).not.toBe(b.prefix);
    } finally {
      await Promise.all([a.cleanup(), b.cleanup()]);
    }
  });

  it("cleanup deletes the prefix's streams, leaves other streams alone and closes the connection", async () => {
    const mine = await createTestNats();
    const other = await createTestNats();
    try {
      await mine.jsm.streams.add({ name: streamNameFor(mine.prefix, "ledger"), subjects: [`${mine.prefix}.ledger.>`] });
      await mine.jsm.streams.add({ name: streamNameFor(mine.prefix, "handles"), subjects: [`${mine.prefix}.handles.>`] });
      await other.jsm.streams.add({ name: streamNameFor(other.prefix, "ledger"), subjects: [`${other.prefix}.ledger.>`] });

      await mine.cleanup();

      expect(mine.nc.isClosed()).toBe(true);
      const observer = await connect({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222" });
      try {
        const jsm = await observer.jetstreamManager();
        const names: string[] = [];
        for await (const info of jsm.streams.list()) names.push(info.config.name);
        expect(names.filter((name) => name.startsWith(mine.prefix.toUpperCase()))).toEqual([]);
        expect(names).toContain(streamNameFor(other.prefix, "ledger"));
      } finally {
        await observer.close();
      }
    } finally {
      await other.cleanup();
    }
  });
});
