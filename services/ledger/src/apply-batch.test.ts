import { PostingErrorReason } from "@paymesh/gen/paymesh/ledger/v1/errors_pb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AccountState, INT64_MAX } from "./account-state.js";
import { applyBatch } from "./apply-batch.js";
import { entryIdOf } from "./entry-id-of.js";
import type { Command, EntryInput } from "./journal-types.js";
import { postingErrorOf } from "./posting-refusal.js";

const CURRENCIES = ["USD", "EUR"] as const;

interface AccountSpec {
  currency: (typeof CURRENCIES)[number];
  flag: "none" | "no-overdraft" | "debit-normal";
  credits: bigint;
}

interface RawEntry {
  id: string;
  lines: Array<{ account: number; amount: bigint; side: "debit" | "credit" }>;
  balance: boolean;
  pending: boolean;
  linked: boolean;
}

const accountsArb: fc.Arbitrary<AccountSpec[]> = fc.array(
  fc.record({
    currency: fc.constantFrom(...CURRENCIES),
    flag: fc.constantFrom("none", "no-overdraft", "debit-normal"),
    credits: fc.bigInt({ min: 0n, max: 1_000n }),
  }),
  { minLength: 2, maxLength: 6 },
);

function buildAccounts(specs: AccountSpec[]): Map<string, AccountState> {
  return new Map(
    specs.map((spec, i) => {
      const id = `acc-${i}`;
      // Start each account with posted credits (and matching debits for debit-normal ones) so flags hold.
      const state: AccountState = {
        id,
        currency: spec.currency,
        status: "active",
        debitsMustNotExceedCredits: spec.flag === "no-overdraft",
        creditsMustNotExceedDebits: spec.flag === "debit-normal",
        debitsPosted: spec.flag === "debit-normal" ? spec.credits : 0n,
        creditsPosted: spec.credits,
        debitsPending: 0n,
        creditsPending: 0n,
        sequence: 0n,
      };
      return [id, state];
    }),
  );
}

const entryArb = (accountCount: number): fc.Arbitrary<RawEntry> =>
  fc.record({
    id: fc.uuid(),
    lines: fc.array(
      fc.record({
        account: fc.nat({ max: accountCount - 1 }),
        amount: fc.bigInt({ min: 1n, max: 600n }),
        side: fc.constantFrom("debit" as const, "credit" as const),
      }),
      { minLength: 2, maxLength: 4 },
    ),
    balance: fc.boolean(),
    pending: fc.boolean(),
    linked: fc.boolean(),
  });

/** Adds a balancing line per currency to most entries, so both balanced and unbalanced ones occur. */
function toEntry(raw: RawEntry, accounts: AccountState[]): EntryInput {
  const lines = raw.lines.map((line) => ({ accountId: accounts[line.account]!.id, amount: line.amount, side: line.side }));
  if (raw.balance) {
    for (const currency of CURRENCIES) {
      const net = lines
        .filter((line) => accounts.find((a) => a.id === line.accountId)!.currency === currency)
        .reduce((sum, line) => sum + (line.side === "debit" ? line.amount : -line.amount), 0n);
      const counter = accounts.find((a) => a.currency === currency);
      if (net !== 0n && counter) lines.push({ accountId: counter.id, amount: net > 0n ? net : -net, side: net > 0n ? "credit" : "debit" });
    }
  }
  return {
    id: raw.id,
    lines,
    memo: "",
    metadata: {},
    pending: raw.pending,
    pendingTimeoutSeconds: raw.pending ? 60 : 0,
    linked: raw.linked,
  };
}

describe("applyBatch", () => {
  it("keeps every invariant whatever the batch", () => {
    fc.assert(
      fc.property(
        accountsArb.chain((specs) =>
          fc.tuple(
            fc.constant(specs),
            fc.array(fc.array(entryArb(specs.length), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
          ),
        ),
        ([specs, rawGroups]) => {
          const accounts = buildAccounts(specs);
          const initial = new Map([...accounts].map(([id, a]) => [id, { ...a }]));
          const list = [...accounts.values()];
          const groups: Command[][] = rawGroups.map((group) => group.map((raw) => ({ kind: "post" as const, entry: toEntry(raw, list) })));
          const out = applyBatch({ accounts, entries: new Map(), groups, now: new Date(0) });

          // Per currency, posted debits equal posted credits.
          for (const currency of CURRENCIES) {
            let net = 0n;
            for (const p of out.postings.filter((p) => p.currency === currency)) net += p.side === "debit" ? p.amount : -p.amount;
            expect(net).toBe(0n);
          }
          // Every account's totals are its start plus exactly what accepted entries did to it.
          const accepted = out.results.flat().flatMap((r) => (r.ok ? [r.entry] : []));
          for (const [id, account] of accounts) {
            const start = initial.get(id)!;
            const mine = accepted.flatMap((e) => e.lines.filter((l) => l.accountId === id).map((l) => ({ ...l, pending: e.pending })));
            const sum = (side: string, pending: boolean) =>
              mine.filter((l) => l.side === side && l.pending === pending).reduce((s, l) => s + l.amount, 0n);
            expect(account.debitsPosted).toBe(start.debitsPosted + sum("debit", false));
            expect(account.creditsPosted).toBe(start.creditsPosted + sum("credit", false));
            expect(account.debitsPending).toBe(sum("debit", true));
            expect(account.creditsPending).toBe(sum("credit", true));
            // Flags hold with reservations counted.
            if (account.debitsMustNotExceedCredits)
              expect(account.debitsPosted + account.debitsPending <= account.creditsPosted).toBe(true);
            if (account.creditsMustNotExceedDebits)
              expect(account.creditsPosted + account.creditsPending <= account.debitsPosted).toBe(true);
            expect(account.sequence).toBe(BigInt(out.postings.filter((p) => p.accountId === id).length));
          }
          // Every refusal says, for code, why and about which entry.
          groups.forEach((group, g) => {
            group.forEach((command, i) => {
              const result = out.results[g]![i]!;
              if (result.ok) return;
              const detail = postingErrorOf(result.error);
              expect(detail?.reason).toBeDefined();
              expect(detail!.reason).not.toBe(PostingErrorReason.UNSPECIFIED);
              expect(detail!.entryId).toBe(entryIdOf(command));
            });
          });
          // Accepted entries are new exactly once; a linked chain is all in or all out.
          expect(new Set(out.newEntries.map((e) => e.id)).size).toBe(out.newEntries.length);
          groups.forEach((group, g) => {
            let chainStart = 0;
            group.forEach((command, i) => {
              const linked = command.kind === "post" && command.entry.linked;
              if (!linked || i === group.length - 1) {
                const chain = out.results[g]!.slice(chainStart, i + 1);
                expect(chain.every((r) => r.ok) || chain.every((r) => !r.ok)).toBe(true);
                chainStart = i + 1;
              }
            });
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses totals past int64 instead of wrapping", () => {
    const accounts = buildAccounts([
      { currency: "USD", flag: "none", credits: 0n },
      { currency: "USD", flag: "none", credits: 0n },
    ]);
    accounts.get("acc-1")!.creditsPosted = INT64_MAX;
    const out = applyBatch({
      accounts,
      entries: new Map(),
      groups: [
        [
          {
            kind: "post",
            entry: {
              id: "e",
              lines: [
                { accountId: "acc-0", amount: 1n, side: "debit" },
                { accountId: "acc-1", amount: 1n, side: "credit" },
              ],
              memo: "",
              metadata: {},
              pending: false,
              pendingTimeoutSeconds: 0,
              linked: false,
            },
          },
        ],
      ],
      now: new Date(0),
    });
    expect(out.results[0]![0]).toMatchObject({ ok: false, error: { kind: "failed_precondition" } });
    const [result] = out.results[0]!;
    expect(result?.ok === false && postingErrorOf(result.error)).toMatchObject({
      reason: PostingErrorReason.AMOUNT_OVERFLOW,
      entryId: "e",
      accountIds: ["acc-1"],
    });
    expect(accounts.get("acc-1")!.creditsPosted).toBe(INT64_MAX);
    expect(out.postings).toHaveLength(0);
  });
});
