import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@connectrpc/connect";
import { freePort } from "@paymesh/bench";
import { GovernanceService } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService, Side } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { governanceService } from "@paymesh/governance";
import { handlesService } from "@paymesh/handles";
import { ledgerService } from "@paymesh/ledger";
import { notificationsService } from "@paymesh/notifications";
import type { ServiceName } from "@paymesh/runtime";
import { createTestMesh, TEST_AUTH, type TestMesh } from "@paymesh/testkit";
import { transfersService } from "@paymesh/transfers";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type BuiltConsole, buildConsole } from "../src/build-console.js";
import { createConsoleServer } from "../src/create-console-server.js";

/** Where each test's screenshot is left, for a person to look at after CI. */
const ARTIFACTS_DIR = join(import.meta.dirname, "..", "..", "..", ".artifacts", "console");

/** Debian's Chromium, never a downloaded browser; `.ci/run` installs it. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface Person {
  subject: string;
  handle: string;
  accountId: string;
}

export interface ConsoleMesh {
  mesh: TestMesh;
  consoleUrl: string;
  /** What the production build weighs. */
  built: BuiltConsole;
  services: Record<ServiceName, string>;
  people: Record<"alice" | "bob" | "carol", Person>;
  /** A ledger client with the operator role, to check what the browser did. */
  ledger: Client<typeof LedgerService>;
  transfersAs(subject: string): Client<typeof TransferService>;
  /** A fresh browser context (its own session storage) at the sign-in page. */
  openPage(): Promise<Page>;
  /** Signs in through the development sign-in page as one of the demo people. */
  signIn(page: Page, name: "Alice Anders" | "Bob Brandt" | "Carol Chen" | "Operator"): Promise<void>;
  screenshot(page: Page, name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Each demo wallet's opening balance: 1,000.00 USD. */
export const OPENING_BALANCE = 100_000n;

/**
 * The five services in-process on real ports (real Postgres, NATS, Redis), the console built for
 * production and served as `npm start` serves it, the demo people funded with handles and
 * governance membership, and Debian's Chromium to drive it.
 */
export async function startConsoleMesh(): Promise<ConsoleMesh> {
  const consolePort = await freePort();
  const origin = `http://127.0.0.1:${consolePort}`;
  const env = { CORS_ORIGINS: origin };
  const mesh = await createTestMesh();
  const built = await mkdtemp(join(tmpdir(), "paymesh-console-test-"));
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  let closeConsole: (() => Promise<void>) | undefined;
  try {
    const ledgerRunning = await mesh.start(ledgerService, env);
    const handlesRunning = await mesh.start(handlesService, env);
    const transfersRunning = await mesh.start(transfersService, env);
    // No voting delay, so a test can vote on the proposal it just made.
    const governanceRunning = await mesh.start(governanceService, { ...env, GOVERNANCE_VOTING_DELAY_MS: "0" });
    const notificationsRunning = await mesh.start(notificationsService, env);
    const services: Record<ServiceName, string> = {
      handles: handlesRunning.url,
      ledger: ledgerRunning.url,
      transfers: transfersRunning.url,
      notifications: notificationsRunning.url,
      governance: governanceRunning.url,
    };
    const builtConsole = await buildConsole({ outDir: built });
    const server = await createConsoleServer({ staticDir: built, services, nodeEnv: "development", auth: TEST_AUTH, port: consolePort });
    closeConsole = server.close;

    const ledger = mesh.client(LedgerService, ledgerRunning, { subject: "ops", role: "operator" });
    const funding = randomUUID();
    await ledger.createAccount({
      id: funding,
      currency: "USD",
      owner: "bank",
      code: "funding",
      flags: { creditsMustNotExceedDebits: true },
    });
    const governance = mesh.client(GovernanceService, governanceRunning, { subject: "ops", role: "operator" });
    const people = {} as Record<"alice" | "bob" | "carol", Person>;
    for (const subject of ["alice", "bob", "carol"] as const) {
      const accountId = randomUUID();
      await ledger.createAccount({
        id: accountId,
        currency: "USD",
        owner: subject,
        code: "wallet",
        flags: { debitsMustNotExceedCredits: true },
      });
      await ledger.postEntry({
        entryId: randomUUID(),
        lines: [
          { accountId: funding, amount: OPENING_BALANCE, side: Side.DEBIT },
          { accountId, amount: OPENING_BALANCE, side: Side.CREDIT },
        ],
        memo: "opening balance",
      });
      const handles = mesh.client(HandleService, handlesRunning, { subject });
      const displayName = { alice: "Alice Anders", bob: "Bob Brandt", carol: "Carol Chen" }[subject];
      await handles.registerHandle({ handle: `@${subject}`, accountId, displayName });
      await governance.addMember({ subject });
      people[subject] = { subject, handle: `@${subject}`, accountId };
    }

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const openBrowser = browser;
    return {
      mesh,
      consoleUrl: server.url,
      built: builtConsole,
      services,
      people,
      ledger,
      transfersAs: (subject) => mesh.client(TransferService, transfersRunning, { subject }),
      async openPage() {
        const context = await openBrowser.newContext({ viewport: { width: 1280, height: 860 } });
        contexts.push(context);
        const page = await context.newPage();
        await page.goto(server.url);
        return page;
      },
      async signIn(page, name) {
        await page.getByRole("button", { name: new RegExp(`^Sign in as ${name}`) }).click();
        await page.getByRole("navigation", { name: "Main" }).waitFor();
      },
      async screenshot(page, name) {
        await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
      },
      async stop() {
        for (const context of contexts) await context.close();
        await openBrowser.close();
        await server.close();
        await mesh.stop();
        await rm(built, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await closeConsole?.();
    await mesh.stop();
    await rm(built, { recursive: true, force: true });
    throw error;
  }
}
