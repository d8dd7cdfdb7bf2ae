import { describe, expect, it } from "vitest";
import { withDeadline } from "./with-deadline.js";

describe("withDeadline", () => {
  it("passes on what the call settles with in time", async () => {
    await expect(withDeadline(Promise.resolve(42), 1_000, "the answer")).resolves.toBe(42);
    await expect(withDeadline(Promise.reject(new Error("refused")), 1_000, "the answer")).rejects.toThrow("refused");
  });

  it("gives up on a call that does not settle, naming it", async () => {
    await expect(withDeadline(new Promise(() => {}), 5, "redis GET")).rejects.toThrow("redis GET did not answer within 5 ms");
  });
});
