import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { DomainError } from "./domain-error.js";
import { isTransientCode } from "./is-transient-code.js";
import { transientError } from "./transient-error.js";

const transient = [Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted, Code.Canceled];
const answersAndFaults = [
  Code.InvalidArgument,
  Code.NotFound,
  Code.AlreadyExists,
  Code.PermissionDenied,
  Code.FailedPrecondition,
  Code.OutOfRange,
  Code.Unimplemented,
  Code.Internal,
  Code.DataLoss,
  Code.Unauthenticated,
  Code.Unknown,
];

describe("isTransientCode", () => {
  it("calls only the codes after which the same request may later succeed transient", () => {
    for (const code of transient) expect(isTransientCode(code), Code[code]).toBe(true);
    for (const code of answersAndFaults) expect(isTransientCode(code), Code[code]).toBe(false);
  });
});

describe("transientError", () => {
  it("turns a transient failure of a call into UNAVAILABLE naming what cannot be reached", () => {
    for (const code of transient) {
      const error = transientError(new ConnectError("peer said something", code), "the ledger");
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ kind: "unavailable", metadata: {} });
      expect((error as DomainError).message).toMatch(/^the ledger cannot be reached just now; retry/);
    }
  });

  it("passes on how long the callee asked to be left alone", () => {
    const busy = new ConnectError("slow down", Code.ResourceExhausted, { "retry-after-ms": "1500" });
    expect(transientError(busy, "the handle directory")).toMatchObject({ kind: "unavailable", metadata: { "retry-after-ms": "1500" } });
  });

  it("returns answers and faults as they were", () => {
    for (const code of answersAndFaults) {
      const error = new ConnectError("x", code);
      expect(transientError(error, "the ledger")).toBe(error);
    }
    const bug = new TypeError("undefined is not a function");
    expect(transientError(bug, "the ledger")).toBe(bug);
  });
});
