// The drill's load, run inside the load-generator process (libs/bench/src/load-generator.ts):
// people paying each other by handle the way a payment client must, one idempotency key per
// payment, retried on any error or lost answer until the transfer is COMPLETED or FAILED.
import { randomUUID } from "node:crypto";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { Scenario } from "@paymesh/bench";
import { TransferService, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { createHttp2SessionManager } from "@paymesh/runtime";
import type { PaymentLog, PaymentRecord } from "./payment-log.js";

/** This module's path from the repository root, for a LoadSpec's `module`. */
export const PAYMENT_LOAD = "libs/drill/src/payment-load.ts";

export interface PaymentLoadParams {
  /** TransferService base URLs; a payment's attempts go to each in turn, as a client behind a load balancer's would. */
  urls: string[];
  payers: Array<{ subject: string; accountId: string; token: string }>;
  /** Handles paid, `@payee-0`. */
  payees: string[];
  /** One attempt's deadline: past it the answer counts as lost. Default 8 000 ms, above the ledger call's 5 s. */
  attemptTimeoutMs?: number;
  /**
   * A payment still not final after this long is given up (recorded as GAVE_UP) so a drill ends
   * even when payments cannot finish. Default 25 000 ms: above the 10 s outages plus recovery's
   * 10 s takeover of transfers left in flight.
   */
  giveUpMs?: number;
}

/** The pause before the next attempt: 100 ms doubling to 1 s, so a client neither hammers nor idles. */
const pauseBefore = (attempt: number) => Math.min(1_000, 100 * 2 ** Math.max(0, attempt - 1));

export const scenarios: Record<string, Scenario> = {
  pay(params) {
    const { urls, payers, payees, attemptTimeoutMs = 8_000, giveUpMs = 25_000 } = params as unknown as PaymentLoadParams;
    const clients = urls.map((baseUrl) =>
      createClient(TransferService, createGrpcTransport({ baseUrl, sessionManager: createHttp2SessionManager(baseUrl) })),
    );
    const log: PaymentLog = { answers: [], payments: [] };
    const op = async (i: number) => {
      const payer = payers[Math.floor(Math.random() * payers.length)]!;
      const request = {
        idempotencyKey: randomUUID(),
        fromAccountId: payer.accountId,
        to: { case: "toHandle" as const, value: payees[Math.floor(Math.random() * payees.length)]! },
        amount: 1n + BigInt(Math.floor(Math.random() * 5_000)),
        currency: "USD",
      };
      const payment: PaymentRecord = {
        payer: payer.subject,
        key: request.idempotencyKey,
        startedAt: Date.now(),
        endedAt: 0,
        attempts: 0,
        outcome: "GAVE_UP",
        transferId: "",
      };
      log.payments.push(payment);
      const headers = { authorization: `Bearer ${payer.token}` };
      while (Date.now() - payment.startedAt < giveUpMs) {
        const client = clients[(i + payment.attempts) % clients.length]!;
        payment.attempts += 1;
        try {
          const { transfer } = await client.createTransfer(request, { headers, timeoutMs: attemptTimeoutMs });
          const status = TransferStatus[transfer?.status ?? TransferStatus.UNSPECIFIED];
          log.answers.push([Date.now(), status]);
          if (status === "COMPLETED" || status === "FAILED") {
            payment.outcome = status;
            payment.transferId = transfer!.id;
            break;
          }
        } catch (error) {
          log.answers.push([Date.now(), Code[ConnectError.from(error).code]]);
        }
        await new Promise((resolve) => setTimeout(resolve, pauseBefore(payment.attempts)));
      }
      payment.endedAt = Date.now();
      if (payment.outcome === "GAVE_UP") throw new Error(`payment ${payment.key} not final after ${giveUpMs} ms`);
    };
    return { op, record: () => log };
  },
};
