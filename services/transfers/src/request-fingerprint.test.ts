import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { requestDifference } from "./request-difference.js";
import { requestFingerprint } from "./request-fingerprint.js";
import type { TransferRequest } from "./transfer-request.js";

const uuid = fc.uuid().map((id) => id.toLowerCase());
const request: fc.Arbitrary<TransferRequest> = fc.record({
  fromAccountId: uuid,
  to: fc.oneof(
    fc.stringMatching(/^@[a-z0-9_.-]{3,30}$/).map((handle) => ({ kind: "handle" as const, handle })),
    uuid.map((accountId) => ({ kind: "account" as const, accountId })),
  ),
  amount: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }),
  currency: fc.constantFrom("USD", "EUR", "JPY"),
  memo: fc.string({ maxLength: 20 }),
});

describe("requestFingerprint and requestDifference", () => {
  it("agree: same fingerprint exactly when no field differs", () => {
    fc.assert(
      fc.property(request, request, (a, b) => {
        expect(requestFingerprint(a) === requestFingerprint(b)).toBe(requestDifference(a, b) === undefined);
      }),
    );
  });

  it("name the one field that changed", () => {
    fc.assert(
      fc.property(request, fc.constantFrom("fromAccountId", "amount", "currency", "memo", "to"), (a, field) => {
        const b: TransferRequest = { ...a };
        if (field === "fromAccountId") b.fromAccountId = a.fromAccountId.replace(/^./, (c) => (c === "0" ? "1" : "0"));
        if (field === "amount") b.amount = a.amount + 1n;
        if (field === "currency") b.currency = a.currency === "USD" ? "EUR" : "USD";
        if (field === "memo") b.memo = `${a.memo}!`;
        if (field === "to")
          b.to = a.to.kind === "handle" ? { kind: "handle", handle: `${a.to.handle}x` } : { kind: "handle", handle: "@someone" };
        const names = {
          fromAccountId: /^from_account_id/,
          amount: /^amount/,
          currency: /^currency/,
          memo: /^memo/,
          to: /^(to_handle|payee)/,
        };
        expect(requestDifference(a, b)).toMatch(names[field]);
        expect(requestFingerprint(a)).not.toBe(requestFingerprint(b));
      }),
    );
  });

  it("cannot be fooled by moving characters between fields", () => {
    const a: TransferRequest = {
      fromAccountId: "00000000-0000-4000-8000-000000000000",
      to: { kind: "handle", handle: "@ab" },
      amount: 12n,
      currency: "USD",
      memo: "3",
    };
    const b: TransferRequest = { ...a, amount: 1n, memo: "23" };
    expect(requestFingerprint(a)).not.toBe(requestFingerprint(b));
  });
});
