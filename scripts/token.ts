// Prints a bearer token the mesh accepts: `npm run token -- alice` or
// `npm run token -- ledger-admin --role operator`. Signs with AUTH_JWT_SECRET, or the
// development secret, which every service refuses under NODE_ENV=production.
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, ROLES, type Role, signToken } from "@paymesh/runtime";

const usage = `usage: npm run token -- <subject> [--role ${ROLES.join("|")}] [--ttl seconds]`;

try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: "string", default: "user" }, ttl: { type: "string", default: "3600" } },
  });
  const [subject] = positionals;
  const role = values.role as Role;
  const ttl = Number(values.ttl);
  if (subject === undefined || positionals.length > 1) throw new Error(usage);
  if (!ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(", ")}\n${usage}`);
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 3600) throw new Error("--ttl must be 1 to 3600 seconds (services reject older tokens)");
  const { auth } = loadConfig({ service: "token", defaultPort: 0 });
  process.stdout.write(`${await signToken({ ...auth, subject, role, expiresInSeconds: ttl })}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}
