// The demo data `npm start` seeds once the ledger, handles and transfers services are ready:
// a funding account and three people, alice, bob and carol (token subjects), each with a funded
// USD wallet and a handle (@alice, @bob, @carol), so a newcomer can send money with grpcurl or
// the console straight away. Idempotent: fixed account and entry ids, so running it again changes
// nothing. `tsx scripts/seed-demo.ts` runs it on its own against a running mesh.

import type { DescService } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import {
  createEnvReader,
  type Env,
  isMainModule,
  loadConfig,
  type Role,
  SERVICE_PORTS,
  type ServiceName,
  signToken,
} from "@paymesh/runtime";

/** Fixed ids: the same on every machine and every run. */
export const DEMO = {
  fundingAccountId: "0d3e5f10-0000-4000-8000-00000000f0d1",
  people: [
    {
      subject: "alice",
      handle: "@alice",
      displayName: "Alice Anders",
      accountId: "0d3e5f10-0000-4000-8000-0000000a11ce",
      fundingEntryId: "0d3e5f10-0000-4000-8000-00000000e0a1",
    },
    {
      subject: "bob",
      handle: "@bob",
      displayName: "Bob Brandt",
      accountId: "0d3e5f10-0000-4000-8000-000000000b0b",
      fundingEntryId: "0d3e5f10-0000-4000-8000-00000000e0b2",
    },
    {
      subject: "carol",
      handle: "@carol",
      displayName: "Carol Chen",
      accountId: "0d3e5f10-0000-4000-8000-00000000ca01",
      fundingEntryId: "0d3e5f10-0000-4000-8000-00000000e0c3",
    },
  ],
  currency: "USD",
  /** Each wallet's opening balance: 1,000.00 USD. */
  openingBalance: 100_000n,
} as const;

export interface DemoSeed {
  /** What was done, one line per step ("created" or "already there"). */
  steps: string[];
  /** Ready-to-paste grpcurl commands: a token, a transfer to @bob, alice's balance. */
  commands: string;
}

/**
 * Seeds the demo data through the services' own APIs (never their databases): the ledger with an
 * operator token, the handles as each person. Safe to run any number of times.
 */
export async function runDemoSeed(env: Env = process.env): Promise<DemoSeed> {
  const config = loadConfig({ service: "demo_seed", defaultPort: 0, env });
  const urls = createEnvReader(env);
  const urlOf = (name: ServiceName) =>
    urls.url(`${name.toUpperCase()}_URL`, `http://127.0.0.1:${SERVICE_PORTS[name]}`, ["http:", "https:"]);
  const ledgerUrl = urlOf("ledger");
  const handlesUrl = urlOf("handles");
  urls.finish();
  const clientAs = <T extends DescService>(service: T, baseUrl: string, subject: string, role: Role): Client<T> => {
    const auth: Interceptor = (next) => async (req) => {
      req.header.set("authorization", `Bearer ${await signToken({ ...config.auth, subject, role, expiresInSeconds: 300 })}`);
      return next(req);
    };
    return createClient(service, createGrpcTransport({ baseUrl, interceptors: [auth], defaultTimeoutMs: 10_000 }));
  };
  const ledger = clientAs(LedgerService, ledgerUrl, "demo-seed", "operator");
  const steps: string[] = [];

  await ledger.createAccount({
    id: DEMO.fundingAccountId,
    currency: DEMO.currency,
    owner: "bank",
    code: "funding",
    flags: { creditsMustNotExceedDebits: true },
    metadata: { demo: "true" },
  });
  steps.push(`funding account ${DEMO.fundingAccountId}`);
  for (const person of DEMO.people) {
    await ledger.createAccount({
      id: person.accountId,
      currency: DEMO.currency,
      owner: person.subject,
      code: "wallet",
      flags: { debitsMustNotExceedCredits: true },
      metadata: { demo: "true" },
    });
    // A fixed entry id: posting it again returns the original entry and moves nothing.
    await ledger.postEntry({
      entryId: person.fundingEntryId,
      lines: [
        { accountId: DEMO.fundingAccountId, amount: DEMO.openingBalance, side: Side.DEBIT },
        { accountId: person.accountId, amount: DEMO.openingBalance, side: Side.CREDIT },
      ],
      memo: `demo opening balance for ${person.subject}`,
    });
    const handles = clientAs(HandleService, handlesUrl, person.subject, "user");
    try {
      await handles.registerHandle({ handle: person.handle, accountId: person.accountId, displayName: person.displayName });
      steps.push(`${person.subject}: wallet ${person.accountId}, handle ${person.handle} registered`);
    } catch (error) {
      if (ConnectError.from(error).code !== Code.AlreadyExists) throw error;
      // Already registered: fine if it is this person's and points at this wallet.
      const { handle } = await handles.getHandle({ handle: person.handle }).catch(() => {
        throw new Error(`${person.handle} is taken by someone else; the demo needs it`);
      });
      if (handle!.accountId !== person.accountId) {
        throw new Error(`${person.handle} points at account ${handle!.accountId}, not the demo wallet ${person.accountId}`);
      }
      steps.push(`${person.subject}: wallet ${person.accountId}, handle ${person.handle} (already there)`);
    }
  }
  return { steps, commands: demoCommands() };
}

/** The commands a newcomer pastes to send money and see it land (also in README.md). */
export function demoCommands(): string {
  const [alice, bob] = DEMO.people;
  return [
    "# A token for alice (valid one hour):",
    "TOKEN=$(npm run --silent token -- alice)",
    "",
    "# Send 12.34 USD to @bob (amounts are in cents; the same idempotency_key returns the same transfer, use a new one to send again):",
    `grpcurl -plaintext -H "authorization: Bearer $TOKEN" -d '{"idempotency_key":"demo-1","from_account_id":"${alice!.accountId}","to_handle":"@bob","amount":"1234","currency":"USD","memo":"lunch"}' 127.0.0.1:${SERVICE_PORTS.transfers} paymesh.transfers.v1.TransferService/CreateTransfer`,
    "",
    "# alice's balance:",
    `grpcurl -plaintext -H "authorization: Bearer $TOKEN" -d '{"account_id":"${alice!.accountId}"}' 127.0.0.1:${SERVICE_PORTS.ledger} paymesh.ledger.v1.LedgerService/GetBalance`,
    "",
    "# bob's side: his balance and his transfer history:",
    "BOB_TOKEN=$(npm run --silent token -- bob)",
    `grpcurl -plaintext -H "authorization: Bearer $BOB_TOKEN" -d '{"account_id":"${bob!.accountId}"}' 127.0.0.1:${SERVICE_PORTS.ledger} paymesh.ledger.v1.LedgerService/GetBalance`,
    `grpcurl -plaintext -H "authorization: Bearer $BOB_TOKEN" -d '{}' 127.0.0.1:${SERVICE_PORTS.transfers} paymesh.transfers.v1.TransferService/ListTransfers`,
  ].join("\n");
}

if (isMainModule(import.meta.url)) {
  try {
    const seed = await runDemoSeed();
    for (const step of seed.steps) console.log(`  ${step}`);
    console.log(`\n${seed.commands}`);
  } catch (error) {
    console.error(`demo seed failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
