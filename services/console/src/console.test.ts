import { randomUUID } from "node:crypto";
import { TransferStatus } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleMesh, OPENING_BALANCE, startConsoleMesh } from "../test/start-console-mesh.js";

// The console end to end: the production build served as `npm start` serves it, real services
// behind it, Debian's Chromium in front. Every test leaves a screenshot in .artifacts/console/.

let m: ConsoleMesh;

beforeAll(async () => {
  m = await startConsoleMesh();
}, 120_000);

afterAll(async () => {
  await m?.stop();
});

async function fillSend(page: Page, to: string, amount: string, memo: string): Promise<void> {
  await page.getByRole("link", { name: "Send", exact: true }).click();
  await page.getByLabel("To (handle)").fill(to);
  await page.getByLabel(/^Amount/).fill(amount);
  await page.getByLabel("Note for them (optional)").fill(memo);
  await page.getByRole("button", { name: "Review" }).click();
}

async function balanceOf(accountId: string): Promise<bigint> {
  const { balances } = await m.ledger.getBalance({ accountId });
  return balances!.balance;
}

describe("the console", () => {
  it("loads its first page with at most 250 KB of JavaScript, gzipped", () => {
    expect(m.built.firstPageScript.gzipBytes).toBeGreaterThan(10_000);
    expect(m.built.firstPageScript.gzipBytes).toBeLessThanOrEqual(250 * 1024);
  });

  it("alice sends 5.00 USD to @bob, and bob's open console shows the notification and his new balance without a reload", async () => {
    const bob = await m.openPage();
    await m.signIn(bob, "Bob Brandt");
    const bobAvailable = bob.getByTestId("wallet-USD").getByTestId("available");
    await expect.poll(() => bobAvailable.textContent(), { timeout: 10_000 }).toBe("1,000.00 USD");
    // The stream's first message carries the unread count: read the badge once it has arrived.
    await bob.locator('[data-live="connected"]').waitFor();
    const badge = bob.getByTestId("unread-badge");
    const unreadBefore = (await badge.count()) === 0 ? 0 : Number.parseInt((await badge.textContent()) ?? "0", 10);

    const alice = await m.openPage();
    await m.signIn(alice, "Alice Anders");
    await fillSend(alice, "@bob", "5.00", "lunch");
    // The payee as a payer may see them: masked, before anything moves.
    await expect.poll(() => alice.getByTestId("payee-name").textContent()).toMatch(/^Bob B/);
    await m.screenshot(alice, "send-review");
    await alice.getByRole("button", { name: "Send now" }).click();
    await alice.getByTestId("send-outcome").waitFor();
    expect(await alice.getByTestId("send-outcome").textContent()).toMatch(/Sent 5\.00 USD to @bob/);

    // Bob did nothing: the live stream brings the notification, and the balance follows it.
    await bobAvailable.getByText("1,005.00 USD").waitFor({ timeout: 2_000 });
    await expect.poll(() => badge.textContent(), { timeout: 2_000 }).toMatch(new RegExp(`^${unreadBefore + 1}\\b`));
    await m.screenshot(bob, "payee-live-update");
    await bob.getByRole("link", { name: /Notifications/ }).click();
    await bob
      .getByTestId("inbox")
      .getByText(/sent you 5\.00 USD/)
      .first()
      .waitFor();
    await m.screenshot(bob, "payee-inbox");
    expect(await balanceOf(m.people.bob.accountId)).toBe(OPENING_BALANCE + 500n);
  });

  it("a double-clicked send pays once", async () => {
    const before = await balanceOf(m.people.carol.accountId);
    const alice = await m.openPage();
    await m.signIn(alice, "Alice Anders");
    const memo = `double ${randomUUID().slice(0, 8)}`;
    await fillSend(alice, "@carol", "1.25", memo);
    await alice.getByRole("button", { name: "Send now" }).dblclick();
    await alice.getByTestId("send-outcome").waitFor();
    await m.screenshot(alice, "double-click");

    const { transfers } = await m.transfersAs("alice").listTransfers({ pageSize: 100 });
    const sent = transfers.filter((transfer) => transfer.memo === memo);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.status).toBe(TransferStatus.COMPLETED);
    expect(await balanceOf(m.people.carol.accountId)).toBe(before + 125n);
  });

  it("a send beyond the balance shows why nothing moved, and an unknown handle says so before anything is sent", async () => {
    const carol = await m.openPage();
    await m.signIn(carol, "Carol Chen");
    const before = await balanceOf(m.people.carol.accountId);
    await fillSend(carol, "@alice", "5,000.00", "too much");
    await carol.getByRole("button", { name: "Send now" }).click();
    const outcome = carol.getByTestId("send-outcome");
    await outcome.waitFor();
    expect(await outcome.textContent()).toMatch(/Not sent: insufficient funds in the paying account\. No money moved\./);
    await m.screenshot(carol, "insufficient-funds");
    expect(await balanceOf(m.people.carol.accountId)).toBe(before);

    await carol.getByRole("button", { name: "Send another" }).click();
    await fillSend(carol, "@nobody-here", "1.00", "");
    await expect.poll(() => carol.getByRole("alert").textContent()).toMatch(/Check what you typed\./);
    await m.screenshot(carol, "unknown-handle");
  });

  it("a member proposes, votes and verifies in the page that the vote is in the signed log", async () => {
    const alice = await m.openPage();
    await m.signIn(alice, "Alice Anders");
    await alice.getByRole("link", { name: "Governance" }).click();
    await alice.getByRole("button", { name: "Propose a change" }).click();
    await alice.getByLabel("Rule").selectOption("transfers.limits.USD.daily_max");
    await alice.getByLabel("New value (USD)").fill("25000.00");
    await alice.getByLabel(/^Why/).fill("people pay rent with us");
    await alice.getByRole("button", { name: "Propose", exact: true }).dblclick();
    const created = alice.getByTestId("created-proposal");
    await created.waitFor();
    const proposalId = (await created.getAttribute("data-proposal-id"))!;
    expect(await alice.locator('[data-testid^="proposal-"]').count()).toBe(1);

    const card = alice.getByTestId(`proposal-${proposalId}`);
    await expect.poll(() => card.getAttribute("data-state"), { timeout: 10_000 }).toBe("ACTIVE");
    await card.getByLabel("Reason (optional)").fill("rent");
    await card.getByTestId("vote-for").click();
    await card.getByTestId("my-vote").waitFor();
    await expect.poll(() => card.getByTestId("tally").getAttribute("data-for"), { timeout: 10_000 }).toBe("1");
    await card.getByTestId("verify-vote").click();
    const verdict = card.getByTestId("verify-result");
    await expect.poll(() => verdict.getAttribute("data-verified"), { timeout: 10_000 }).toBe("true");
    expect(await verdict.textContent()).toMatch(/^Verified: your FOR vote on proposal/);
    await m.screenshot(alice, "vote-verified");
  });

  it("the operator page lists every account with its balances", async () => {
    const operator = await m.openPage();
    await m.signIn(operator, "Operator");
    await operator.getByRole("link", { name: "Operator" }).click();
    await operator.getByTestId("operator-accounts").waitFor();
    for (const person of Object.values(m.people)) {
      await expect.poll(() => operator.getByTestId(`account-${person.accountId}`).textContent()).toContain(person.subject);
    }
    await m.screenshot(operator, "operator-accounts");
  });

  it("people see no operator page", async () => {
    const bob = await m.openPage();
    await m.signIn(bob, "Bob Brandt");
    expect(await bob.getByRole("link", { name: "Operator" }).count()).toBe(0);
  });
});
