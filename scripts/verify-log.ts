// `npm run verify-log`: checks the governance log as a Certificate Transparency monitor would,
// from the public RPCs and the public key alone (see verifyLog in services/governance). Keeps
// the last tree head it checked in a local file and proves the log only grew since. Exits 0
// when everything checks out, 1 on any mismatch, 2 when it could not check.
//
//   npm run verify-log -- [--url http://127.0.0.1:7105] [--state .governance-monitor.json]
//                         [--public-key <base64>] [--vote <proposal id>:<voter> ...] [--max-proofs 10000]
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { GovernanceService } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { type MonitorState, verifyLog } from "@paymesh/governance";
import { loadConfig, SERVICE_PORTS, signToken } from "@paymesh/runtime";

try {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: process.env.GOVERNANCE_URL ?? `http://127.0.0.1:${SERVICE_PORTS.governance}` },
      state: { type: "string", default: ".governance-monitor.json" },
      "public-key": { type: "string" },
      vote: { type: "string", multiple: true, default: [] },
      "max-proofs": { type: "string", default: "10000" },
    },
  });
  // Any member of the platform may read the log: a user token, given or minted with the configured secret.
  const { auth } = loadConfig({ service: "verify_log", defaultPort: 0 });
  const token = process.env.GOVERNANCE_TOKEN ?? (await signToken({ ...auth, subject: "verify-log", role: "user", expiresInSeconds: 600 }));
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const client = createClient(
    GovernanceService,
    createGrpcTransport({ baseUrl: values.url, interceptors: [bearer], defaultTimeoutMs: 30_000 }),
  );
  const previous = existsSync(values.state) ? (JSON.parse(readFileSync(values.state, "utf8")) as MonitorState) : undefined;
  const report = await verifyLog({
    client,
    previous,
    publicKey: values["public-key"],
    votes: values.vote,
    maxProofs: Number(values["max-proofs"]),
  });
  for (const line of report.checked) console.log(`ok    ${line}`);
  for (const line of report.problems) console.log(`FAIL  ${line}`);
  if (report.problems.length > 0) {
    console.log(`the log does not verify (${report.problems.length} problems); ${values.state} is unchanged`);
    process.exitCode = 1;
  } else {
    writeFileSync(`${values.state}.tmp`, `${JSON.stringify(report.state, null, 2)}\n`);
    renameSync(`${values.state}.tmp`, values.state);
    console.log(`the log verifies: ${report.state.treeSize} leaves; tree head kept in ${values.state}`);
  }
} catch (error) {
  console.error(`could not verify the log: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
