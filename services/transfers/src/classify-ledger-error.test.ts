import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { PostingErrorReason, PostingErrorSchema } from "@paymesh/gen/paymesh/ledger/v1/errors_pb";
import { EntryErrorSchema } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { describe, expect, it } from "vitest";
import { classifyLedgerError } from "./classify-ledger-error.js";

const accounts = { from: "aaaaaaaa-0000-4000-8000-000000000001", to: "bbbbbbbb-0000-4000-8000-000000000002" };
type Detail = MessageInitShape<typeof PostingErrorSchema>;

/** A failed PostEntry as the ledger sends it, but with a message no code could make sense of. */
const postEntryError = (code: Code, detail?: Detail, message = "frobnicated the wibble") =>
  new ConnectError(message, code, undefined, detail === undefined ? [] : [{ desc: PostingErrorSchema, value: detail }]);
/** The same refusal as one entry's result of PostEntries. */
const entryError = (code: Code, detail?: Detail, message = "frobnicated the wibble") =>
  create(EntryErrorSchema, { code, message, detail: detail === undefined ? undefined : create(PostingErrorSchema, detail) });

describe.each([
  ["PostEntry", postEntryError],
  ["PostEntries", entryError],
] as const)("classifyLedgerError (%s)", (_api, failure) => {
  it("takes the failure reason from the ledger's detail, whatever the message says", () => {
    const refusals: Array<[Code, Detail, { reason: string; message: RegExp }]> = [
      [
        Code.FailedPrecondition,
        { reason: PostingErrorReason.INSUFFICIENT_FUNDS, accountIds: [accounts.from] },
        { reason: "insufficient_funds", message: /insufficient funds/ },
      ],
      [
        Code.FailedPrecondition,
        { reason: PostingErrorReason.ACCOUNT_CLOSED, accountIds: [accounts.to] },
        { reason: "payee_unavailable", message: /payee's account is closed/ },
      ],
      [
        Code.FailedPrecondition,
        { reason: PostingErrorReason.ACCOUNT_CLOSED, accountIds: [accounts.from] },
        { reason: "account_unavailable", message: /paying account is closed/ },
      ],
      [
        Code.NotFound,
        { reason: PostingErrorReason.ACCOUNT_NOT_FOUND, accountIds: [accounts.to] },
        { reason: "payee_unavailable", message: /payee's account does not exist/ },
      ],
      [
        Code.NotFound,
        { reason: PostingErrorReason.ACCOUNT_NOT_FOUND, accountIds: [accounts.from] },
        { reason: "account_unavailable", message: /paying account does not exist/ },
      ],
      [
        Code.InvalidArgument,
        { reason: PostingErrorReason.ENTRY_UNBALANCED, currency: "USD", accountIds: [accounts.from] },
        { reason: "account_unavailable", message: /currency/ },
      ],
      [
        Code.FailedPrecondition,
        { reason: PostingErrorReason.CREDITS_EXCEED_DEBITS, accountIds: [accounts.to] },
        { reason: "account_unavailable", message: /payee's account cannot receive/ },
      ],
      [
        Code.FailedPrecondition,
        { reason: PostingErrorReason.AMOUNT_OVERFLOW, accountIds: [accounts.from] },
        { reason: "account_unavailable", message: /paying account cannot make/ },
      ],
    ];
    for (const [code, detail, expected] of refusals) {
      const outcome = classifyLedgerError(failure(code, detail), accounts);
      expect(outcome, PostingErrorReason[detail.reason!]).toMatchObject({ kind: "refused", reason: expected.reason });
      expect(outcome.message).toMatch(expected.message);
    }
  });

  it("never reads the message: a message naming one refusal does not outweigh a detail naming another", () => {
    const misleading = `insufficient funds in account ${accounts.from}: available 3`;
    const outcome = classifyLedgerError(
      failure(Code.FailedPrecondition, { reason: PostingErrorReason.ACCOUNT_CLOSED, accountIds: [accounts.to] }, misleading),
      accounts,
    );
    expect(outcome).toMatchObject({ kind: "refused", reason: "payee_unavailable" });
  });

  it("treats a refusal without a detail it knows as final, but names no cause it cannot see", () => {
    for (const detail of [undefined, { reason: 999 as PostingErrorReason, accountIds: [] }]) {
      expect(classifyLedgerError(failure(Code.FailedPrecondition, detail), accounts)).toEqual({
        kind: "refused",
        reason: "account_unavailable",
        message: "the ledger refused the entry",
      });
    }
  });

  it("leaves open what does not prove the entry absent for good, and flags a reused id as a conflict", () => {
    const linked = { reason: PostingErrorReason.LINKED_ENTRY_FAILED, linkedError: { reason: PostingErrorReason.INSUFFICIENT_FUNDS } };
    expect(classifyLedgerError(failure(Code.FailedPrecondition, linked), accounts).kind).toBe("uncertain");
    expect(
      classifyLedgerError(failure(Code.DeadlineExceeded, { reason: PostingErrorReason.DEADLINE_PASSED, accountIds: [] }), accounts).kind,
    ).toBe("uncertain");
    expect(
      classifyLedgerError(failure(Code.AlreadyExists, { reason: PostingErrorReason.ENTRY_ID_REUSED, field: "memo" }), accounts),
    ).toEqual({
      kind: "conflict",
      message: "frobnicated the wibble",
    });
    for (const code of [
      Code.Unavailable,
      Code.DeadlineExceeded,
      Code.Internal,
      Code.Unknown,
      Code.Aborted,
      Code.Canceled,
      Code.ResourceExhausted,
      Code.PermissionDenied,
    ]) {
      expect(classifyLedgerError(failure(code), accounts).kind, Code[code]).toBe("uncertain");
    }
  });
});
