import { randomUUID } from "node:crypto";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { PostEntryRequestSchema } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { connectErrorOf } from "@paymesh/testkit";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LedgerFixture, startLedgerFixture } from "../test/start-ledger-fixture.js";
import { ledgerService } from "./main.js";
import { reconcileLedger } from "./reconcile-ledger.js";

let f: LedgerFixture;
let second: Awaited<ReturnType<LedgerFixture["mesh"]["start"]>>;
beforeAll(async () => {
  f = await startLedgerFixture();
  // A second instance on the same database: posts race across processes' pools and engines.
  second = await f.mesh.start(ledgerService, { DATABASE_NAME: f.ledger.database.name });
});
afterAll(() => f.stop());

type Request = MessageInitShape<typeof PostEntryRequestSchema>;

it("keeps the books exact under concurrent posts from two instances, whatever the entries", async () => {
  const clients = [f.ops, f.mesh.client(LedgerService, second, { subject: "ops", role: "operator" })];
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom("USD", "EUR"), { minLength: 3, maxLength: 5 }),
      fc.array(
        fc.record({
          from: fc.nat({ max: 4 }),
          to: fc.nat({ max: 4 }),
          amount: fc.bigInt({ min: 1n, max: 400n }),
          unbalanced: fc.boolean(),
          viaBatch: fc.boolean(),
        }),
        { minLength: 20, maxLength: 60 },
      ),
      async (currencies, raw) => {
        // Wallets start with 500 each (funded from a debit-normal account per currency); none may be overdrawn.
        const wallets = await Promise.all(currencies.map((currency) => f.wallet("prop", 500n, currency)));
        const requests = raw.map(({ from, to, amount, unbalanced, viaBatch }) => {
          const payer = wallets[from % wallets.length]!;
          const payee = wallets[to % wallets.length]!;
          const request: Request = {
            entryId: randomUUID(),
            lines: [
              { accountId: payer.id, amount, side: Side.DEBIT },
              { accountId: payee.id, amount: unbalanced ? amount + 1n : amount, side: Side.CREDIT },
            ],
          };
          return { request, viaBatch };
        });
        const accepted = new Set<string>();
        const rejected = new Set<string>();
        const batched = requests.filter((r) => r.viaBatch).map((r) => r.request);
        await Promise.all([
          ...requests
            .filter((r) => !r.viaBatch)
            .map(async ({ request }, i) => {
              const error = await connectErrorOf(clients[i % 2]!.postEntry(request)).catch(() => undefined);
              (error === undefined ? accepted : rejected).add(request.entryId!);
            }),
          (async () => {
            if (batched.length === 0) return;
            const { results } = await clients[1]!.postEntries({ entries: batched });
            results.forEach((r, i) => {
              (r.result.case === "entry" ? accepted : rejected).add(batched[i]!.entryId!);
            });
          })(),
        ]);
        const sql = f.ledger.context.database.sql;
        const ids = [...accepted, ...rejected];
        const stored = await sql<{ id: string }[]>`select id from entries where id = any(${ids}::uuid[])`;
        expect(new Set(stored.map((row) => row.id))).toEqual(accepted);
        // Unbalanced entries are never accepted.
        for (const { request } of requests) {
          const [debit, credit] = request.lines!;
          if (debit!.amount !== credit!.amount) expect(accepted.has(request.entryId!)).toBe(false);
        }
        // No wallet past its limit, per currency debits == credits, totals == journal.
        const overdrawn =
          await sql`select id from accounts where debits_must_not_exceed_credits and debits_posted + debits_pending > credits_posted`;
        expect(overdrawn).toHaveLength(0);
        const drift = (await reconcileLedger(f.ledger.context.database.db)).filter((d) => d.check !== "statement projection");
        expect(drift).toEqual([]);
      },
    ),
    { numRuns: 6 },
  );
});

it("answers every post of one entry id with the entry once it is applied, never with a refusal its own posting made true", async () => {
  // The payer holds exactly the amount: whichever post applies the entry empties the wallet, and a
  // post of the same id that did not see it would refuse it for insufficient funds. A client that
  // believed that refusal would call failed a payment whose money moved.
  const clients = [f.ops, f.mesh.client(LedgerService, second, { subject: "ops", role: "operator" })];
  for (let round = 0; round < 8; round++) {
    const payer = await f.wallet("racer", 100n);
    const payee = await f.wallet("racee");
    const request: Request = {
      entryId: randomUUID(),
      lines: [
        { accountId: payer.id, amount: 100n, side: Side.DEBIT },
        { accountId: payee.id, amount: 100n, side: Side.CREDIT },
      ],
    };
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        clients[i % 2]!.postEntry(request).then(
          () => "posted",
          (error: unknown) => String(error),
        ),
      ),
    );
    expect(answers).toEqual(Array(8).fill("posted"));
  }
});
