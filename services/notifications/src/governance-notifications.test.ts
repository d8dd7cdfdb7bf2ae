import { randomUUID } from "node:crypto";
import { GovernanceService } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import type { Role } from "@paymesh/runtime";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { type NotificationsMesh, startNotificationsMesh, type TestUser } from "../test/start-notifications-mesh.js";

let world: NotificationsMesh;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

beforeAll(async () => {
  world = await startNotificationsMesh({ governance: true });
  [alice, bob, carol] = await Promise.all([world.user("alice"), world.user("bob"), world.user("carol")]);
}, 60_000);

afterAll(() => world?.stop());

const governance = (subject: string, role: Role = "user") =>
  world.mesh.client(GovernanceService, { url: world.governanceUrl! }, { subject, role });

/** The types of `user`'s notifications about `resource`, oldest first. */
async function typesAbout(user: TestUser, resource: string): Promise<string[]> {
  const { notifications } = await user.notifications.listNotifications({ pageSize: 500, includeArchived: true });
  return notifications
    .filter((n) => n.resource === resource)
    .map((n) => n.type)
    .reverse();
}

it("tells every member who may vote that a proposal opened, and that it was canceled; nobody else", async () => {
  for (const subject of ["alice", "bob"]) await governance("ops", "operator").addMember({ subject });
  const { proposal } = await governance("alice").createProposal({
    proposalId: randomUUID(),
    parameter: "transfers.limits.USD.daily_max",
    newValue: 2_500_000n,
    rationale: "people pay rent with us",
  });
  await governance("alice").cancelProposal({ id: proposal!.id });

  for (const member of [alice, bob]) {
    await vi.waitFor(
      async () => expect(await typesAbout(member, proposal!.id)).toEqual(["governance.proposal_opened", "governance.proposal_canceled"]),
      { timeout: 10_000, interval: 50 },
    );
  }
  const { notifications } = await bob.notifications.listNotifications({ pageSize: 500 });
  expect(notifications.find((n) => n.type === "governance.proposal_opened")?.body).toBe(
    "@alice proposes to change transfers.limits.USD.daily_max from 2000000 to 2500000: you may vote on it",
  );
  expect(await typesAbout(carol, proposal!.id)).toEqual([]);
});
