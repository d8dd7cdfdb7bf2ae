import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Counts, decidedEarly, outcomeAtClose, passes, type Rule } from "./decide-outcome.js";

const TWO_THIRDS: Rule = { quorumBps: 5_000, thresholdBps: 6_666 };
const MAJORITY: Rule = { quorumBps: 5_000, thresholdBps: 5_000 };

/** Every way `remaining` further votes could split between FOR, AGAINST and ABSTAIN. */
function* completions(counts: Counts): Generator<Counts> {
  const remaining = counts.eligible - counts.for - counts.against - counts.abstain;
  for (let f = 0; f <= remaining; f++) {
    for (let a = 0; a <= remaining - f; a++) {
      for (let voters = 0; voters <= remaining - f - a; voters++) {
        // Some members may not vote at all: abstentions from 0 to what is left.
        yield { ...counts, for: counts.for + f, against: counts.against + a, abstain: counts.abstain + voters };
      }
    }
  }
}

const countsArb = fc
  .record({ eligible: fc.integer({ min: 1, max: 9 }), f: fc.nat(9), a: fc.nat(9), b: fc.nat(9) })
  .filter(({ eligible, f, a, b }) => f + a + b <= eligible)
  .map(({ eligible, f, a, b }) => ({ eligible, for: f, against: a, abstain: b }));

const ruleArb = fc.record({ quorumBps: fc.integer({ min: 0, max: 10_000 }), thresholdBps: fc.integer({ min: 0, max: 9_999 }) });

describe("deciding a proposal", () => {
  it("needs quorum (FOR + ABSTAIN) and FOR above the threshold of FOR + AGAINST", () => {
    expect(passes({ for: 2, against: 1, abstain: 0, eligible: 3 }, TWO_THIRDS)).toBe(true);
    expect(passes({ for: 1, against: 1, abstain: 0, eligible: 3 }, MAJORITY)).toBe(false);
    expect(passes({ for: 1, against: 0, abstain: 0, eligible: 3 }, MAJORITY)).toBe(false);
    expect(passes({ for: 1, against: 0, abstain: 1, eligible: 3 }, MAJORITY)).toBe(true);
    expect(passes({ for: 0, against: 0, abstain: 3, eligible: 3 }, MAJORITY)).toBe(false);
    expect(passes({ for: 3, against: 2, abstain: 0, eligible: 5 }, TWO_THIRDS)).toBe(false);
  });

  it("closes early exactly when every way the others could vote ends the same", () => {
    fc.assert(
      fc.property(countsArb, ruleArb, (counts, rule) => {
        const outcomes = new Set([...completions(counts)].map((done) => outcomeAtClose(done, rule)));
        const early = decidedEarly(counts, rule);
        if (outcomes.size === 1) expect(early).toBe([...outcomes][0]);
        else expect(early).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
  });

  it("is decided once everyone has voted", () => {
    fc.assert(
      fc.property(countsArb, ruleArb, (counts, rule) => {
        const all = { ...counts, abstain: counts.eligible - counts.for - counts.against };
        expect(decidedEarly(all, rule)).toBe(outcomeAtClose(all, rule));
      }),
    );
  });
});
