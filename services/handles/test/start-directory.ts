import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { ledgerService } from "@paymesh/ledger";
import type { Env, Role } from "@paymesh/runtime";
import { createTestMesh } from "@paymesh/testkit";
import { handlesService } from "../src/main.js";

/**
 * A mesh for one test file: a real ledger and a handles instance over HTTP/2, with this file's
 * own databases, stream prefix and Redis key prefix. `another()` starts a further handles
 * instance on the same database and Redis prefix (a second replica of the same deployment).
 */
export async function startDirectory(env: Env = {}) {
  const mesh = await createTestMesh();
  try {
    const ledger = await mesh.start(ledgerService);
    const handles = await mesh.start(handlesService, env);
    const sql = handles.context.database.sql;
    return {
      mesh,
      ledger,
      handles,
      redisPrefix: handles.redisPrefix,
      /** The handles database, for looking at raw rows. */
      sql,
      /** A client to `target` (default the first instance) calling as `subject`. */
      as(subject: string, role: Role = "user", target: { url: string } = handles) {
        return mesh.client(HandleService, target, { subject, role });
      },
      another(extra: Env = {}) {
        return mesh.start(handlesService, { ...env, DATABASE_NAME: handles.database.name, ...extra });
      },
      async openAccount(owner: string): Promise<string> {
        const { account } = await mesh.client(LedgerService, ledger, { subject: owner }).createAccount({ currency: "USD", owner });
        return account!.id;
      },
      /** The ledger has no RPC to close an account yet; tests close one in its database. */
      async closeAccount(id: string): Promise<void> {
        await ledger.context.database.sql`update accounts set status = 'closed' where id = ${id}`;
      },
      /** Every handle row as stored, for "nothing changed" checks. */
      async snapshot() {
        const rows = await sql`select * from handles order by handle`;
        const [{ events }] = (await sql`select count(*)::int as events from outbox`) as unknown as [{ events: number }];
        return { rows: rows.map((row) => ({ ...row })), events };
      },
      stop: () => mesh.stop(),
    };
  } catch (error) {
    await mesh.stop();
    throw error;
  }
}

export type Directory = Awaited<ReturnType<typeof startDirectory>>;
