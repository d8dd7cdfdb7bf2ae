import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { streamNameFor, streamNamePrefixFor, streamSubjectFor, subjectFor } from "./event-names.js";

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);

describe("subjectFor", () => {
  it("joins prefix, context and event", () => {
    expect(subjectFor("paymesh", "ledger", "entry_posted")).toBe("paymesh.ledger.entry_posted");
  });

  it("always yields a subject its context's stream captures", () => {
    fc.assert(
      fc.property(token, token, token, (prefix, context, event) => {
        const subject = subjectFor(prefix, context, event);
        const filter = streamSubjectFor(prefix, context);
        expect(subject.startsWith(filter.slice(0, -1))).toBe(true);
        expect(subject.split(".")).toHaveLength(3);
      }),
    );
  });

  it.each([
    ["pay.mesh", "ledger", "x"],
    ["paymesh", "led*ger", "x"],
    ["paymesh", "ledger", ">"],
    ["paymesh", "", "x"],
    ["paymesh", "ledger", "entry posted"],
  ])("refuses tokens that would change the subject's shape: %j %j %j", (prefix, context, event) => {
    expect(() => subjectFor(prefix, context, event)).toThrow(/invalid/);
  });
});

describe("streamNameFor", () => {
  it("names a context's stream from prefix and context", () => {
    expect(streamNameFor("paymesh", "ledger")).toBe("PAYMESH_LEDGER");
    expect(streamNameFor("t_ab12", "ledger")).toBe("T_AB12_LEDGER");
  });

  it("starts with the prefix's stream-name prefix, which cleanup relies on", () => {
    expect(streamNameFor("t_ab12", "handles").startsWith(streamNamePrefixFor("t_ab12"))).toBe(true);
  });

  it("refuses characters stream names forbid", () => {
    expect(() => streamNameFor("paymesh", "led.ger")).toThrow(/invalid context/);
    expect(() => streamNamePrefixFor("pay mesh")).toThrow(/invalid subject prefix/);
  });
});
