import { describe, expect, it } from "vitest";
import { createBatcher } from "./create-batcher.js";

/** A run the test finishes by hand, recording the batches it was given. */
function heldRuns() {
  const batches: number[][] = [];
  const finishers: Array<(fail?: Error) => void> = [];
  const run = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push(items);
      finishers.push((fail) => (fail === undefined ? resolve(items.map((item) => `done ${item}`)) : reject(fail)));
    });
  return { run, batches, finish: (index: number, fail?: Error) => finishers[index]!(fail) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("createBatcher", () => {
  it("runs a lone item at once, alone", async () => {
    const runs = heldRuns();
    const batcher = createBatcher({ run: runs.run });
    const result = batcher.submit(1);
    expect(runs.batches).toEqual([[1]]);
    runs.finish(0);
    await expect(result).resolves.toBe("done 1");
  });

  it("takes the items that arrived while runs were in flight together, in order", async () => {
    const runs = heldRuns();
    const batcher = createBatcher({ run: runs.run, maxInFlight: 1 });
    const results = [1, 2, 3, 4].map((item) => batcher.submit(item));
    expect(runs.batches).toEqual([[1]]);
    runs.finish(0);
    await tick();
    expect(runs.batches).toEqual([[1], [2, 3, 4]]);
    runs.finish(1);
    await expect(Promise.all(results)).resolves.toEqual(["done 1", "done 2", "done 3", "done 4"]);
  });

  it("keeps to maxInFlight runs and maxBatch items per run", async () => {
    const runs = heldRuns();
    const batcher = createBatcher({ run: runs.run, maxInFlight: 2, maxBatch: 2 });
    const results = [1, 2, 3, 4, 5, 6].map((item) => batcher.submit(item));
    expect(runs.batches).toEqual([[1], [2]]);
    runs.finish(0);
    await tick();
    expect(runs.batches).toEqual([[1], [2], [3, 4]]);
    runs.finish(1);
    await tick();
    expect(runs.batches).toEqual([[1], [2], [3, 4], [5, 6]]);
    runs.finish(2);
    runs.finish(3);
    await expect(Promise.all(results)).resolves.toHaveLength(6);
  });

  it("fails every item of a failed run, and the next run goes ahead", async () => {
    const runs = heldRuns();
    const batcher = createBatcher({ run: runs.run, maxInFlight: 1 });
    const first = batcher.submit(1);
    const [second, third] = [batcher.submit(2), batcher.submit(3)];
    runs.finish(0);
    await tick();
    runs.finish(1, new Error("database gone"));
    await expect(first).resolves.toBe("done 1");
    await expect(second).rejects.toThrow("database gone");
    await expect(third).rejects.toThrow("database gone");
    const fourth = batcher.submit(4);
    runs.finish(2);
    await expect(fourth).resolves.toBe("done 4");
  });

  it("runs each item alone after a failure isolate says was about an item, so only that item fails", async () => {
    const batches: number[][] = [];
    const batcher = createBatcher({
      run: async (items: number[]) => {
        batches.push(items);
        if (items.includes(13)) throw new Error("13 refused");
        return items.map((item) => item * 2);
      },
      maxInFlight: 1,
      isolate: (error) => error instanceof Error && error.message.endsWith("refused"),
    });
    const results = [1, 2, 13, 4].map((item) => batcher.submit(item).catch((error: Error) => error.message));
    await expect(Promise.all(results)).resolves.toEqual([2, 4, "13 refused", 8]);
    expect(batches).toEqual([[1], [2, 13, 4], [2], [13], [4]]);
  });

  it("fails a run that gives the wrong number of results", async () => {
    const batcher = createBatcher({ run: async (items: number[]) => items.slice(1) });
    await expect(batcher.submit(1)).rejects.toThrow("a batch of 1 items gave 0 results");
  });
});
