import { toBinary } from "@bufbuild/protobuf";
import { type LogRecord, LogRecordSchema } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { and, asc, gte, lt, sql } from "drizzle-orm";
import type { GovernanceDatabase, GovernanceTransaction } from "./governance-database.js";
import type { Hash } from "./merkle-hash.js";
import { type NodeKey, nodeKeyId } from "./merkle-plan.js";
import { createMerkleTree, leftSiblingsOf, type MerkleTree, nodesForAppend, type StoredNode } from "./merkle-tree.js";
import type { NodeReader } from "./node-store.js";
import { logHead, logLeaves, logNodes } from "./schema.js";

type Queryable = GovernanceDatabase | GovernanceTransaction;

/** The stored subtree hashes, read in one statement however many are asked for. */
function nodeReaderOf(db: Queryable): NodeReader {
  return {
    async read(keys: readonly NodeKey[]) {
      const found = new Map<string, Hash>();
      if (keys.length === 0) return found;
      const rows = await db
        .select({ level: logNodes.level, index: logNodes.index, hash: logNodes.hash })
        .from(logNodes)
        .where(
          sql`(${logNodes.level}, ${logNodes.index}) in (select * from unnest(${sql.param(keys.map((k) => k.level))}::int[], ${sql.param(keys.map((k) => k.index))}::bigint[]))`,
        );
      for (const row of rows) found.set(nodeKeyId(row), row.hash);
      return found;
    },
  };
}

/**
 * Appends records to the log in the caller's transaction, so a leaf exists if and only if the
 * record it logs commits, and returns their indices. The indices come from the one log_head
 * row, whose lock the transaction holds until it ends: appends from every instance are
 * serialised in one order with no gaps (a rolled-back append gives its indices back). Callers
 * append last, after their other writes, to hold that lock briefly.
 */
export async function appendToLog(tx: GovernanceTransaction, records: readonly LogRecord[]): Promise<number[]> {
  const count = records.length;
  const [head] = await tx
    .insert(logHead)
    .values({ id: 1, size: count })
    .onConflictDoUpdate({ target: logHead.id, set: { size: sql`${logHead.size} + ${count}` } })
    .returning({ size: logHead.size });
  const first = head!.size - count;
  const datas = records.map((record) => toBinary(LogRecordSchema, record));
  const indices = datas.map((_, i) => first + i);
  // Siblings this batch itself completes are taken from it; the rest are read in one statement.
  const batch = new Map<string, Hash>();
  const wanted = new Map<string, NodeKey>();
  for (const index of indices) {
    for (const key of leftSiblingsOf(index)) if ((key.index + 1) * 2 ** key.level <= first) wanted.set(nodeKeyId(key), key);
  }
  const stored = await nodeReaderOf(tx).read([...wanted.values()]);
  const nodes: StoredNode[] = [];
  for (const [i, index] of indices.entries()) {
    for (const node of nodesForAppend(index, datas[i]!, new Map([...stored, ...batch]))) {
      batch.set(nodeKeyId(node), node.hash);
      nodes.push(node);
    }
  }
  await Promise.all([
    tx.insert(logLeaves).values(indices.map((index, i) => ({ index, data: datas[i]! }))),
    tx.insert(logNodes).values(nodes.map(({ level, index, hash }) => ({ level, index, hash }))),
  ]);
  return indices;
}

/** The log as readers see it: its committed size, roots and proofs, and its leaves. */
export interface LogReader {
  size(): Promise<number>;
  readonly tree: MerkleTree;
  /** Leaves [start, end), in order. */
  leaves(start: number, end: number): Promise<Array<{ index: number; data: Uint8Array }>>;
}

export function createLogReader(db: GovernanceDatabase): LogReader {
  return {
    async size() {
      const [head] = await db.select({ size: logHead.size }).from(logHead);
      return head?.size ?? 0;
    },
    tree: createMerkleTree(nodeReaderOf(db)),
    leaves: (start, end) =>
      db
        .select({ index: logLeaves.index, data: logLeaves.data })
        .from(logLeaves)
        .where(and(gte(logLeaves.index, start), lt(logLeaves.index, end)))
        .orderBy(asc(logLeaves.index)),
  };
}
