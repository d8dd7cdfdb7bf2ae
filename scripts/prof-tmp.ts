import { randomUUID } from "node:crypto";
import { createTestDatabase } from "@paymesh/testkit";
import { openDatabase } from "@paymesh/db";
import * as schema from "../services/ledger/src/schema.js";
import { createPostingEngine } from "../services/ledger/src/create-posting-engine.js";
import { pino } from "pino";
const tdb = await createTestDatabase();
const database = await openDatabase({ url: tdb.url, schema, migrationsFolder: "services/ledger/drizzle", migrationsTable: "__m" });
try {
  const ids: string[] = [];
  for (let i = 0; i < 1000; i++) ids.push(randomUUID());
  await database.sql`insert into accounts (id, currency, owner, code, debits_must_not_exceed_credits, credits_must_not_exceed_debits, metadata) select unnest(${ids}::uuid[]), 'USD', 'b', '', false, false, '{}'`;
  const engine = createPostingEngine({ db: database.db, subject: (e) => `t.ledger.${e}`, logger: pino({ level: "warn" }) });
  const mk = () => { const a = ids[Math.floor(Math.random()*1000)]!; let b = a; while (b===a) b = ids[Math.floor(Math.random()*1000)]!; return { kind: "post" as const, entry: { id: randomUUID(), lines: [{accountId:a, amount: 5n, side: "debit" as const},{accountId:b, amount:5n, side:"credit" as const}], memo:"", metadata:{}, pending:false, pendingTimeoutSeconds:0, linked:false } }; };
  for (const size of [1, 100, 1000]) {
    const t0 = performance.now();
    const n = size === 1 ? 200 : 10;
    for (let i = 0; i < n; i++) await engine.submit(Array.from({ length: size }, mk));
    const ms = performance.now() - t0;
    console.log(`batch ${size}: ${(ms / n).toFixed(2)} ms/tx, ${((n * size) / ms * 1000).toFixed(0)} entries/s`);
  }
} finally { await database.close(); await tdb.drop(); }
