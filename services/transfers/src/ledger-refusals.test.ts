import { randomUUID } from "node:crypto";
import { isMessage } from "@bufbuild/protobuf";
import type { Interceptor } from "@connectrpc/connect";
import { subjectFor } from "@paymesh/events";
import { PostingErrorReason, PostingErrorSchema } from "@paymesh/gen/paymesh/ledger/v1/errors_pb";
import { type EntryError, LedgerService, PostEntriesResponseSchema, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { FailureReason, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { DomainError } from "@paymesh/runtime";
import { connectErrorOf } from "@paymesh/testkit";
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTransfersMesh, type TransfersMesh } from "../test/start-transfers-mesh.js";
import { createRecoveryWorker } from "./create-recovery-worker.js";
import { requestFingerprint } from "./request-fingerprint.js";
import type { TransferRequest } from "./transfer-request.js";
import { recordTransfer } from "./transfer-store.js";

const GIBBERISH = "vorpal snicker-snack, the jabberwock burbled";

/**
 * What a rewording of every ledger message would do: each refusal's message, whole-call or per
 * entry of PostEntries, becomes gibberish; codes and details stay. It runs inside the ledger's
 * error boundary, where refusals are still the domain errors the handlers throw.
 */
const reword: Interceptor = (next) => async (req) => {
  try {
    const res = await next(req);
    if (!res.stream && isMessage(res.message, PostEntriesResponseSchema)) {
      for (const { result } of res.message.results) if (result.case === "error") result.value.message = GIBBERISH;
    }
    return res;
  } catch (error) {
    if (error instanceof DomainError) throw new DomainError(error.kind, GIBBERISH, error.metadata, error.details);
    throw error;
  }
};

let m: TransfersMesh;

beforeAll(async () => {
  m = await startTransfersMesh({ ledgerInterceptors: [reword] });
});

afterAll(async () => {
  await m?.stop();
});

const unaffordable = (from: string, to: string) => ({
  entryId: randomUUID(),
  lines: [
    { accountId: from, amount: 1_000n, side: Side.DEBIT },
    { accountId: to, amount: 1_000n, side: Side.CREDIT },
  ],
});

describe("a ledger whose messages are reworded", () => {
  it("sends gibberish messages but keeps its typed details", async () => {
    const payer = await m.user("ann", { balance: 10n, handle: null });
    const payee = await m.user("ben", { balance: 0n, handle: null });
    const single = await connectErrorOf(m.ledger.postEntry(unaffordable(payer.accountId, payee.accountId)));
    expect(single.rawMessage).toBe(GIBBERISH);
    expect(single.findDetails(PostingErrorSchema)[0]).toMatchObject({
      reason: PostingErrorReason.INSUFFICIENT_FUNDS,
      accountIds: [payer.accountId],
    });
    const { results } = await m.ledger.postEntries({ entries: [unaffordable(payer.accountId, payee.accountId)] });
    expect(results[0]!.result.value as EntryError).toMatchObject({
      message: GIBBERISH,
      detail: { reason: PostingErrorReason.INSUFFICIENT_FUNDS, accountIds: [payer.accountId] },
    });
  });

  it("still fails a transfer the payer cannot afford as INSUFFICIENT_FUNDS", async () => {
    const payer = await m.user("cleo", { balance: 99n });
    const payee = await m.user("dev", { balance: 0n });
    const { transfer } = await payer.pay(payee.handle, 100n, "too-much");
    expect(transfer).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.INSUFFICIENT_FUNDS });
    expect(transfer!.failureMessage).not.toContain("jabberwock");
    expect(await m.balance(payer.accountId)).toBe(99n);
  });

  it("still lets recovery fail an unaffordable transfer left in flight as INSUFFICIENT_FUNDS", async () => {
    const payer = await m.user("eve", { balance: 50n });
    const payee = await m.user("fay", { balance: 0n });
    const subject = (event: string) => subjectFor(m.mesh.prefix, "transfers", event);
    const request: TransferRequest = {
      fromAccountId: payer.accountId,
      to: { kind: "handle", handle: payee.handle },
      amount: 500n,
      currency: "USD",
      memo: "",
    };
    // Recorded, then the process died before posting the entry.
    const { row } = await recordTransfer(
      m.transfersDb,
      {
        id: uuidv7(),
        payer: "eve",
        idempotencyKey: "crashed",
        requestFingerprint: requestFingerprint(request),
        request,
        toAccountId: payee.accountId,
        payee: "fay",
        payeeMaskedDisplayName: "fay T.",
      },
      new Date(),
      subject,
    );
    const recovery = createRecoveryWorker({
      db: m.transfersDb,
      ledger: m.mesh.client(LedgerService, { url: m.ledgerUrl }, { subject: "transfers", role: "service" }),
      now: () => new Date(Date.now() + 60_000),
      subject,
      logger: pino({ level: "silent" }),
    });
    expect(await recovery.runOnce()).toBe(1);
    const { transfer } = await payer.transfers.getTransfer({ id: row.id });
    expect(transfer).toMatchObject({ status: TransferStatus.FAILED, failureReason: FailureReason.INSUFFICIENT_FUNDS });
    expect(await m.entryExists(row.entryId)).toBe(false);
  });
});
