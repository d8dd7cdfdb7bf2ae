import { durationMs, timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { type Account, LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { connectErrorOf } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type LedgerFixture, startLedgerFixture } from "../test/start-ledger-fixture.js";

// A ledger of its own: Reconcile and ListAccounts with all_owners see every account in it.
let f: LedgerFixture;
beforeAll(async () => {
  f = await startLedgerFixture();
});
afterAll(() => f?.stop());

const asService = () => f.mesh.client(LedgerService, f.ledger, { subject: "transfers", role: "service" });

describe("Reconcile", () => {
  it("finds no drift on a clean ledger, then the drift of a balance row changed behind the ledger's back", async () => {
    const alice = await f.wallet("alice", 10_000n);
    const bob = await f.wallet("bob");
    await f.transfer(alice.id, bob.id, 2_500n);
    // The statement projection trails the journal by a moment; once it caught up, the books agree.
    const clean = await vi.waitFor(
      async () => {
        const report = await f.ops.reconcile({});
        expect(report.findings).toEqual([]);
        return report;
      },
      { timeout: 10_000, interval: 50 },
    );
    // Alice's and bob's wallets and the funding account alice's money came from; that entry and the transfer.
    expect(clean.accountsChecked).toBe(3n);
    expect(clean.entriesChecked).toBe(2n);
    expect(timestampDate(clean.startTime!).getTime()).toBeLessThanOrEqual(Date.now());
    expect(durationMs(clean.duration!)).toBeGreaterThanOrEqual(0);

    const { sql } = f.ledger.context.database;
    await sql`update accounts set credits_posted = credits_posted + 1 where id = ${bob.id}`;
    try {
      const drifted = await f.ops.reconcile({});
      expect(drifted.findings.map(({ check, detail }) => ({ check, detail }))).toEqual([
        {
          check: "posted totals",
          detail: `${bob.id}: account says debits 0, credits 2501, sequence 1; journal says 0, 2500, 1`,
        },
      ]);
    } finally {
      await sql`update accounts set credits_posted = credits_posted - 1 where id = ${bob.id}`;
    }
    expect((await f.ops.reconcile({})).findings).toEqual([]);
  });

  it("is for operators only", async () => {
    expect((await connectErrorOf(f.as("alice").reconcile({}))).code).toBe(Code.PermissionDenied);
    expect((await connectErrorOf(asService().reconcile({}))).code).toBe(Code.PermissionDenied);
  });
});

describe("ListAccounts with all_owners", () => {
  it("lists every owner's accounts in id order, with balances, a page at a time, for operators and services", async () => {
    const opened: Account[] = [];
    for (const owner of ["carol", "dave", "erin"]) opened.push(await f.wallet(owner, 700n), await f.wallet(owner));
    const everyId = (await f.ledger.context.database.sql<{ id: string }[]>`select id from accounts order by id`).map((row) => row.id);
    expect(everyId.length).toBeGreaterThan(opened.length);

    const seen: Account[] = [];
    let pageToken = "";
    do {
      const page = await f.ops.listAccounts({ allOwners: true, pageSize: 4, pageToken });
      expect(page.accounts.length).toBeLessThanOrEqual(4);
      seen.push(...page.accounts);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(seen.map((account) => account.id)).toEqual(everyId);
    expect(new Set(seen.map((account) => account.owner))).toEqual(new Set(["alice", "bob", "bank", "carol", "dave", "erin"]));
    const funded = seen.find((account) => account.id === opened[0]!.id);
    expect(funded).toMatchObject({ owner: "carol", balances: { creditsPosted: 700n, balance: 700n, available: 700n } });

    expect((await asService().listAccounts({ allOwners: true, pageSize: 500 })).accounts.map((account) => account.id)).toEqual(everyId);
  });

  it("keeps every owner's tokens and one owner's apart, and refuses an owner beside all_owners", async () => {
    const first = await f.ops.listAccounts({ allOwners: true, pageSize: 1 });
    const mixed = await connectErrorOf(f.ops.listAccounts({ owner: "carol", pageSize: 1, pageToken: first.nextPageToken }));
    expect(mixed.code).toBe(Code.InvalidArgument);
    const carols = await f.ops.listAccounts({ owner: "carol", pageSize: 1 });
    expect((await connectErrorOf(f.ops.listAccounts({ allOwners: true, pageSize: 1, pageToken: carols.nextPageToken }))).code).toBe(
      Code.InvalidArgument,
    );
    const both = await connectErrorOf(f.ops.listAccounts({ allOwners: true, owner: "carol" }));
    expect(both.code).toBe(Code.InvalidArgument);
    expect(both.rawMessage).toMatch(/owner must be empty when all_owners is true/);
  });

  it("is refused to a user, who still lists their own", async () => {
    const refused = await connectErrorOf(f.as("carol").listAccounts({ allOwners: true }));
    expect(refused.code).toBe(Code.PermissionDenied);
    expect(refused.rawMessage).toBe("only operators and services may list every owner's accounts (all_owners)");
    expect((await f.as("carol").listAccounts({})).accounts.map((account) => account.owner)).toEqual(["carol", "carol"]);
  });
});
