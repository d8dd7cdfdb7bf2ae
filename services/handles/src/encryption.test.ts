import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Code } from "@connectrpc/connect";
import { connectErrorOf } from "@paymesh/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Directory, startDirectory } from "../test/start-directory.js";
import { readHandlesConfig } from "./read-handles-config.js";
import { reencryptAll } from "./reencrypt-all.js";

const k1 = randomBytes(32).toString("base64");
const k2 = randomBytes(32).toString("base64");
const indexKey = randomBytes(32).toString("base64");
const KEYS_V1 = { HANDLES_ENCRYPTION_KEYS: `k1:${k1}`, HANDLES_BLIND_INDEX_KEY: indexKey };
const KEYS_ROTATED = { HANDLES_ENCRYPTION_KEYS: `k1:${k1},k2:${k2}`, HANDLES_ENCRYPTION_KEY_ID: "k2", HANDLES_BLIND_INDEX_KEY: indexKey };
const KEYS_V2_ONLY = { HANDLES_ENCRYPTION_KEYS: `k2:${k2}`, HANDLES_BLIND_INDEX_KEY: indexKey };

let dir: Directory;

beforeAll(async () => {
  // Published outbox rows are pruned at once here, so the whole database can be searched.
  dir = await startDirectory({ ...KEYS_V1, OUTBOX_RETENTION_MS: "0", RETENTION_INTERVAL_MS: "50" });
});

afterAll(async () => {
  await dir?.stop();
});

/** A value and the forms it could take in a dump: as text and as hex (bytea shows as \x…). */
const forms = (value: string) => [value, Buffer.from(value).toString("hex")];

describe("encryption at rest", () => {
  it("stores no plaintext account id or owner, anywhere in the database or in Redis", async () => {
    const owner = `owner-${randomUUID()}`;
    const account = await dir.openAccount(owner);
    await dir.as(owner).registerHandle({ handle: "secretive", accountId: account, displayName: "Sam Secret" });
    await dir.as(owner).updateHandle({ handle: "secretive", displayName: "Samuel Secret" });
    const { resolved } = await dir.as("transfers", "service").resolveHandle({ handle: "secretive" });
    expect(resolved).toMatchObject({ accountId: account, owner });

    const [row] = await dir.sql`select row_to_json(h)::text as json, key_id from handles h where handle = '@secretive'`;
    expect(row!.key_id).toBe("k1");
    for (const form of [...forms(account), ...forms(owner)]) expect(row!.json).not.toContain(form);

    // The events carry them in the clear, so published outbox rows are pruned.
    await expect.poll(async () => (await dir.sql`select count(*)::int as n from outbox`)[0]!.n, { timeout: 10_000 }).toBe(0);
    const tables = await dir.sql`select tablename from pg_tables where schemaname = 'public'`;
    expect(tables.map((t) => t.tablename)).toContain("handles");
    for (const { tablename } of tables) {
      const rows = await dir.sql`select row_to_json(t)::text as json from ${dir.sql(tablename)} t`;
      for (const { json } of rows) for (const form of [...forms(account), ...forms(owner)]) expect(json).not.toContain(form);
    }

    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      const cached = await redis.get(`${dir.redisPrefix}{@secretive}:v`);
      expect(cached).toMatch(/^k1\./);
      for (const form of [account, owner]) expect(cached).not.toContain(form);
    } finally {
      redis.disconnect();
    }
  });

  it("keeps old rows readable after rotation, and the re-encrypt command moves them to the new key", { timeout: 90_000 }, async () => {
    const owner = `rotator-${randomUUID()}`;
    const account = await dir.openAccount(owner);
    for (const handle of ["rot_a", "rot_b", "rot_c"]) {
      await dir.as(owner).registerHandle({ handle, accountId: account, displayName: "Rita Rotate" });
    }
    const rotated = await dir.another(KEYS_ROTATED);
    const onRotated = dir.as(owner, "user", rotated);
    expect((await onRotated.getHandle({ handle: "rot_a" })).handle).toMatchObject({ accountId: account, owner });
    await onRotated.registerHandle({ handle: "rot_new", accountId: account, displayName: "Rita Rotate" });
    const keyIds = async () =>
      Object.fromEntries((await dir.sql`select handle, key_id from handles where handle like '@rot%'`).map((r) => [r.handle, r.key_id]));
    expect(await keyIds()).toEqual({ "@rot_a": "k1", "@rot_b": "k1", "@rot_c": "k1", "@rot_new": "k2" });

    // An instance holding only the new key cannot read the old rows yet (and says nothing about why).
    const newOnly = await dir.another(KEYS_V2_ONLY);
    const onNewOnly = dir.as(owner, "user", newOnly);
    const error = await connectErrorOf(onNewOnly.getHandle({ handle: "rot_a" }));
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).not.toMatch(/k1|key/);

    const first = await reencrypt(KEYS_ROTATED);
    expect(first.currentKeyId).toBe("k2");
    expect(first.failed).toEqual([]);
    expect(first.reencrypted).toBeGreaterThanOrEqual(3);
    expect(Object.values(await keyIds()).every((id) => id === "k2")).toBe(true);
    const [{ n }] = (await dir.sql`select count(*)::int as n from handles where key_id <> 'k2'`) as unknown as [{ n: number }];
    expect(n).toBe(0);
    // Running it again finds nothing to do (in-process here: the command is slow to launch).
    const { keyring } = readHandlesConfig(KEYS_ROTATED, "development");
    expect(await reencryptAll({ db: dir.handles.context.database.db, keyring })).toEqual({ reencrypted: 0, failed: [] });

    // Now the old key can be retired: every row opens under k2 alone, and the owner index still finds them.
    expect((await onNewOnly.getHandle({ handle: "rot_a" })).handle).toMatchObject({ accountId: account, owner });
    expect((await onNewOnly.listMyHandles({})).handles.map((h) => h.handle)).toEqual(["@rot_a", "@rot_b", "@rot_c", "@rot_new"]);
    const { resolved } = await dir.as("transfers", "service", newOnly).resolveHandle({ handle: "rot_b" });
    expect(resolved).toMatchObject({ accountId: account, owner, maskedDisplayName: "Rita R." });
  });
});

/** Runs `npm run reencrypt -w @paymesh/handles` against this file's database, as an operator would. */
async function reencrypt(keys: Record<string, string>): Promise<{ currentKeyId: string; reencrypted: number; failed: unknown[] }> {
  const root = fileURLToPath(new URL("../../..", import.meta.url));
  const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "reencrypt", "-w", "@paymesh/handles"], {
    cwd: root,
    env: { ...process.env, ...keys, DATABASE_NAME: dir.handles.database.name },
  });
  return JSON.parse(stdout.trim().split("\n").pop()!) as { currentKeyId: string; reencrypted: number; failed: unknown[] };
}
