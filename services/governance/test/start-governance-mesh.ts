import type { Client, Interceptor } from "@connectrpc/connect";
import { GovernanceService } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import { handlesService } from "@paymesh/handles";
import { ledgerService } from "@paymesh/ledger";
import type { Env, Role } from "@paymesh/runtime";
import { createTestMesh, type TestMesh } from "@paymesh/testkit";
import { transfersService } from "@paymesh/transfers";
import type { GovernanceDatabase } from "../src/governance-database.js";
import { createGovernanceService } from "../src/main.js";

/** A clock tests move forward, shared by every governance instance of the mesh. */
interface TestClock {
  now(): Date;
  advance(ms: number): void;
}

export interface GovernanceMesh {
  mesh: TestMesh;
  clock: TestClock;
  /** Governance instances, all on one database. */
  urls: string[];
  governanceDb: GovernanceDatabase;
  /** GovernanceService at instance `instance` (default 0) as `subject`, a user unless `role` says otherwise. */
  as(subject: string, role?: Role, instance?: number): Client<typeof GovernanceService>;
  /** GovernanceService as an operator. */
  operator: Client<typeof GovernanceService>;
  handlesUrl: string;
  /** TransferService as an operator, to read limits as they are. */
  transfers: Client<typeof TransferService>;
  stop(): Promise<void>;
}

export const MINUTE = 60_000;

/**
 * The real mesh for governance tests: ledger, handles, transfers and `instances` governance
 * instances on one database, with a 1-minute voting delay, a 10-minute voting period, a
 * 1-hour timelock and a 1-day grace period on a clock the test moves, and a worker passing
 * every 50 ms.
 */
export async function startGovernanceMesh(
  options: {
    instances?: number;
    env?: Env;
    /** Extra interceptors on the transfers server, closest to its handlers. Default none. */
    transfersInterceptors?: Interceptor[];
  } = {},
): Promise<GovernanceMesh> {
  const mesh = await createTestMesh();
  let offset = 0;
  const clock: TestClock = {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      offset += ms;
    },
  };
  try {
    await mesh.start(ledgerService);
    const handles = await mesh.start(handlesService);
    const transfers = await mesh.start(transfersService, {}, { interceptors: options.transfersInterceptors });
    const env: Env = {
      GOVERNANCE_VOTING_DELAY_MS: String(MINUTE),
      GOVERNANCE_VOTING_PERIOD_MS: String(10 * MINUTE),
      GOVERNANCE_TIMELOCK_MS: String(60 * MINUTE),
      GOVERNANCE_GRACE_PERIOD_MS: String(24 * 60 * MINUTE),
      GOVERNANCE_WORKER_INTERVAL_MS: "50",
      ...options.env,
    };
    const first = await mesh.start(createGovernanceService({ now: clock.now }), env);
    const urls = [first.url];
    for (let i = 1; i < (options.instances ?? 1); i++) {
      urls.push((await mesh.start(createGovernanceService({ now: clock.now }), { ...env, DATABASE_NAME: first.database.name })).url);
    }
    const as = (subject: string, role: Role = "user", instance = 0) =>
      mesh.client(GovernanceService, { url: urls[instance]! }, { subject, role });
    return {
      mesh,
      clock,
      urls,
      handlesUrl: handles.url,
      governanceDb: first.context.database.db as GovernanceDatabase,
      as,
      operator: as("ops", "operator"),
      transfers: mesh.client(TransferService, transfers, { subject: "ops", role: "operator" }),
      stop: () => mesh.stop(),
    };
  } catch (error) {
    await mesh.stop();
    throw error;
  }
}
