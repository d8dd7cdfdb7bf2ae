// The transfers benchmark's operations, run inside the load-generator process (see
// libs/bench/src/load-generator.ts) from parameters run-benchmark.ts passes.
import { randomUUID } from "node:crypto";
import { createClient, createContextKey, createContextValues, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { Scenario } from "@paymesh/bench";
import { TransferService, TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";

export interface BenchUser {
  subject: string;
  accountId: string;
  handle: string;
  token: string;
}

interface PayParams {
  url: string;
  users: BenchUser[];
  /** When set, every transfer pays this one merchant (a hot payee). */
  merchant?: BenchUser;
}

/** Which user a call is made as: one HTTP/2 connection for everyone, each call with its payer's token. */
const callerToken = createContextKey<string>("", { description: "the paying user's token" });

export const scenarios: Record<string, Scenario> = {
  pay(params) {
    const { url, users, merchant } = params as unknown as PayParams;
    const auth: Interceptor = (next) => (req) => {
      req.header.set("authorization", `Bearer ${req.contextValues.get(callerToken)}`);
      return next(req);
    };
    const transfers = createClient(TransferService, createGrpcTransport({ baseUrl: url, interceptors: [auth] }));
    const anyone = () => users[Math.floor(Math.random() * users.length)]!;
    return async () => {
      const payer = anyone();
      let payee = merchant ?? anyone();
      while (payee === payer) payee = anyone();
      const { transfer } = await transfers.createTransfer(
        {
          idempotencyKey: randomUUID(),
          fromAccountId: payer.accountId,
          to: { case: "toHandle", value: payee.handle },
          amount: 1n + BigInt(Math.floor(Math.random() * 5_000)),
          currency: "USD",
        },
        { contextValues: createContextValues().set(callerToken, payer.token) },
      );
      if (transfer?.status !== TransferStatus.COMPLETED) throw new Error(`transfer ended ${TransferStatus[transfer?.status ?? 0]}`);
    };
  },
};
