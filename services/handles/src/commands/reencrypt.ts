// `npm run reencrypt -w @paymesh/handles`: re-seals every handle row under the current key
// (HANDLES_ENCRYPTION_KEY_ID), after a rotation. Reads the same environment as the service
// (POSTGRES_URL, DATABASE_NAME, HANDLES_ENCRYPTION_KEYS, ...). Safe beside running instances and
// safe to repeat. Retire an old key from HANDLES_ENCRYPTION_KEYS only after this reports 0 failed.
import { ConfigError, loadServiceConfig, openServiceDatabase } from "@paymesh/runtime";
import { handlesService } from "../main.js";
import { readHandlesConfig } from "../read-handles-config.js";
import { reencryptAll } from "../reencrypt-all.js";

try {
  // Every setting is checked before the database is touched: a bad key refuses to start, as the service does.
  const config = loadServiceConfig(handlesService);
  const { keyring } = readHandlesConfig(process.env, config.nodeEnv);
  const { database } = await openServiceDatabase(handlesService, { config, applicationName: "handles-reencrypt", max: 2 });
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
