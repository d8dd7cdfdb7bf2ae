// `npm run reencrypt -w @paymesh/handles`: re-seals every handle row under the current key
// (HANDLES_ENCRYPTION_KEY_ID), after a rotation. Reads the same environment as the service
// (POSTGRES_URL, DATABASE_NAME, HANDLES_ENCRYPTION_KEYS, ...). Safe beside running instances and
// safe to repeat. Retire an old key from HANDLES_ENCRYPTION_KEYS only after this reports 0 failed.
import { databaseUrl, openDatabase } from "@paymesh/db";
import { ConfigError, loadConfig, SERVICE_PORTS } from "@paymesh/runtime";
import { readHandlesConfig } from "../read-handles-config.js";
import { reencryptAll } from "../reencrypt-all.js";
import * as schema from "../schema.js";

try {
  const config = loadConfig({ service: "handles", defaultPort: SERVICE_PORTS.handles });
  const { keyring } = readHandlesConfig(process.env, config.nodeEnv);
  const database = await openDatabase({
    url: databaseUrl(config.postgresUrl, config.databaseName),
    schema,
    migrationsFolder: new URL("../../drizzle", import.meta.url).pathname,
    migrationsTable: "__migrations_handles",
    applicationName: "handles-reencrypt",
  });
  try {
    const result = await reencryptAll({ db: database.db, keyring });
    console.log(JSON.stringify({ currentKeyId: keyring.currentKeyId, reencrypted: result.reencrypted, failed: result.failed }));
    process.exitCode = result.failed.length > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`reencrypt: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`reencrypt failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
