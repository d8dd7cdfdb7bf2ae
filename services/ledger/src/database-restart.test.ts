import { Code, ConnectError } from "@connectrpc/connect";
import type { Account } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { connectErrorOf, findPostgresPrograms, type PrivatePostgres, startPrivatePostgres } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type LedgerFixture, startLedgerFixture } from "../test/start-ledger-fixture.js";

// The drill that found postgres.js crashing every service on a Postgres restart (see
// guardTransactions in libs/db): a ledger on a cluster of its own, restarted under load.
const noServer =
  findPostgresPrograms() === undefined ? " (skipped: no initdb under /usr/lib/postgresql; install the postgresql package)" : "";

/** Posts small entries from `concurrency` loops until stopped, counting outcomes by code. */
function startLoad(f: LedgerFixture, from: Account, to: Account, concurrency: number) {
  const posted: string[] = [];
  const failures = new Map<Code, number>();
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        posted.push((await f.transfer(from.id, to.id, 1n)).entry!.entryId);
      } catch (error) {
        const { code } = ConnectError.from(error);
        failures.set(code, (failures.get(code) ?? 0) + 1);
        // Refused connections fail at once; a real client would back off too.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });
  return {
    posted,
    failures,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe.skipIf(noServer !== "")(`the ledger through a database restart${noServer}`, () => {
  let pg: PrivatePostgres;
  let f: LedgerFixture;
  const uncaught: unknown[] = [];
  const noteUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    // A monitor sees an uncaught exception without changing what happens to the process.
    process.on("uncaughtExceptionMonitor", noteUncaught);
    pg = await startPrivatePostgres();
    f = await startLedgerFixture({ POSTGRES_URL: pg.url });
  });
  afterAll(async () => {
    await f?.stop();
    await pg?.destroy();
    process.off("uncaughtExceptionMonitor", noteUncaught);
  });

  const readiness = async () => {
    const res = await fetch(`${f.ledger.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { checks?: Record<string, string> } };
  };

  /** Every line of `account`'s statement, all pages. */
  async function statementEntryIds(account: Account): Promise<Set<string>> {
    const ids = new Set<string>();
    let pageToken = "";
    do {
      const page = await f.ops.listStatement({ accountId: account.id, pageSize: 500, pageToken });
      for (const line of page.lines) ids.add(line.entryId);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    return ids;
  }

  it("answers UNAVAILABLE while the database is away, then serves, publishes and projects again", { timeout: 60_000 }, async () => {
    const funding = await f.fundingAccount();
    const wallet = await f.wallet("drill");
    const load = startLoad(f, funding, wallet, 6);
    try {
      await vi.waitFor(() => expect(load.posted.length).toBeGreaterThan(20), { timeout: 15_000, interval: 50 });

      // A fast restart terminates every session, transactions in flight included.
      await pg.restart();
      const beforeRestart = load.posted.length;
      await vi.waitFor(() => expect(load.posted.length, "entries posted after the restart").toBeGreaterThan(beforeRestart + 20), {
        timeout: 30_000,
        interval: 50,
      });

      // Held down: calls are refused as "try again", readiness says so, metrics still answer.
      await pg.stop();
      await vi.waitFor(
        async () => expect(await readiness()).toMatchObject({ status: 503, body: { checks: { postgres: "unreachable" } } }),
        {
          timeout: 15_000,
          interval: 100,
        },
      );
      expect((await connectErrorOf(f.transfer(funding.id, wallet.id, 1n))).code).toBe(Code.Unavailable);
      expect((await fetch(`${f.ledger.url}/metrics`)).status).toBe(200);

      await pg.start();
      await vi.waitFor(async () => expect(await readiness()).toMatchObject({ status: 200 }), { timeout: 30_000, interval: 100 });
      const beforeStart = load.posted.length;
      await vi.waitFor(() => expect(load.posted.length, "entries posted after the outage").toBeGreaterThan(beforeStart + 20), {
        timeout: 30_000,
        interval: 50,
      });
    } finally {
      await load.stop();
    }

    // Nothing crashed, and no call failed any other way than "unavailable, try again".
    expect(uncaught).toEqual([]);
    expect([...load.failures.keys()].filter((code) => code !== Code.Unavailable)).toEqual([]);
    // Every entry that was answered, before, between and after the outages, reached the
    // statement: written to the outbox, published by the relay, applied by the projection.
    await vi.waitFor(
      async () => {
        const projected = await statementEntryIds(wallet);
        expect(load.posted.filter((id) => !projected.has(id))).toEqual([]);
      },
      { timeout: 30_000, interval: 200 },
    );
    const [pending] = await f.ledger.context.database.sql<
      { n: number }[]
    >`select count(*)::int as n from outbox where published_at is null`;
    expect(pending!.n).toBe(0);
  });
});
