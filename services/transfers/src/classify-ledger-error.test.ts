import { Code } from "@connectrpc/connect";
import { expect, it } from "vitest";
import { classifyLedgerError } from "./classify-ledger-error.js";

const accounts = { from: "aaaaaaaa-0000-4000-8000-000000000001", to: "bbbbbbbb-0000-4000-8000-000000000002" };

it("treats only the ledger's refusals as final", () => {
  expect(
    classifyLedgerError(Code.FailedPrecondition, `insufficient funds in account ${accounts.from}: available 3`, accounts),
  ).toMatchObject({ kind: "refused", reason: "insufficient_funds" });
  expect(classifyLedgerError(Code.FailedPrecondition, `account ${accounts.to} is closed`, accounts)).toMatchObject({
    kind: "refused",
    reason: "payee_unavailable",
  });
  expect(classifyLedgerError(Code.FailedPrecondition, `account ${accounts.from} is closed`, accounts)).toMatchObject({
    kind: "refused",
    reason: "account_unavailable",
  });
  expect(classifyLedgerError(Code.NotFound, `account ${accounts.to} not found`, accounts)).toMatchObject({
    kind: "refused",
    reason: "payee_unavailable",
  });
  expect(classifyLedgerError(Code.InvalidArgument, "entry does not balance in USD: debits 1, credits 0", accounts)).toMatchObject({
    kind: "refused",
    reason: "account_unavailable",
  });
  expect(classifyLedgerError(Code.AlreadyExists, "entry_id x was already used for a different entry", accounts).kind).toBe("conflict");
  for (const code of [
    Code.Unavailable,
    Code.DeadlineExceeded,
    Code.Internal,
    Code.Unknown,
    Code.Aborted,
    Code.Canceled,
    Code.ResourceExhausted,
  ]) {
    expect(classifyLedgerError(code, "whatever", accounts).kind).toBe("uncertain");
  }
});
