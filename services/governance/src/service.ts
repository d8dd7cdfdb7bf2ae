import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { pgErrorCode, retryOnConflict } from "@paymesh/db";
import { appendEvents } from "@paymesh/events";
import { MemberAddedSchema, MemberRemovedSchema } from "@paymesh/gen/paymesh/governance/v1/events_pb";
import {
  DecisionRuleSchema,
  type GovernanceService,
  type Member,
  MemberSchema,
  type Parameter,
  ParameterSchema,
  ParameterType,
  ProposalState,
  SignedTreeHeadSchema,
  TallySchema,
} from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { DomainError, principalOf, readPageRequest, requireRole, toPage, transientError, withDeadline } from "@paymesh/runtime";
import { and, asc, desc, eq, gt, lt, or, sql } from "drizzle-orm";
import type { Clock } from "./clock.js";
import type { Rule } from "./decide-outcome.js";
import type { GovernanceDatabase } from "./governance-database.js";
import type { LogReader } from "./merkle-log.js";
import type { Owners, ParameterSpec } from "./parameter-catalog.js";
import type { SubjectOf } from "./proposal-events.js";
import { cancelProposal, castVote, findProposal, insertProposal, notAMember, sameProposal } from "./proposal-store.js";
import { members, proposals, proposalTallies, votes } from "./schema.js";
import { stateOf, storedStateOf, supportNameOf, toProposal, toVote } from "./to-proto.js";
import type { TreeHeadSigner } from "./tree-head-signature.js";

export interface GovernanceHandlersOptions {
  db: GovernanceDatabase;
  owners: Owners;
  parameters: ReadonlyMap<string, ParameterSpec>;
  log: LogReader;
  signer: TreeHeadSigner;
  now: Clock;
  subject: SubjectOf;
  votingDelayMs: number;
  votingPeriodMs: number;
}

/** Most leaves one GetLeaves returns. */
const MAX_LEAVES = 1_000;

/** How long a parameter's owner may take to say its current value. */
const READ_DEADLINE_MS = 2_000;

const UNIQUE_VIOLATION = "23505";

export function createGovernanceHandlers(options: GovernanceHandlersOptions): ServiceImpl<typeof GovernanceService> {
  const { db, owners, parameters, log, signer, now, subject } = options;

  const specOf = (name: string): ParameterSpec => {
    const spec = parameters.get(name);
    if (spec === undefined) {
      throw new DomainError(
        "invalid_argument",
        `unknown parameter ${JSON.stringify(name)}; governable parameters are ${[...parameters.keys()].join(", ")}`,
      );
    }
    return spec;
  };

  const readValue = (spec: ParameterSpec) => spec.read(owners);

  const describe = async (spec: ParameterSpec): Promise<Parameter> => {
    const parameter = create(ParameterSchema, {
      name: spec.name,
      description: spec.description,
      type: spec.type === "amount" ? ParameterType.AMOUNT : ParameterType.COUNT,
      unit: spec.unit,
      minValue: spec.min,
      maxValue: spec.max,
      ownerService: spec.ownerService,
      ownerRpc: spec.ownerRpc,
      raiseRule: ruleOf(spec.raiseRule),
      lowerRule: ruleOf(spec.lowerRule),
    });
    try {
      // A list must not wait on one slow owner: each read has its own short deadline.
      parameter.currentValue = await withDeadline(readValue(spec), READ_DEADLINE_MS, `${spec.ownerService} reading ${spec.name}`);
    } catch {
      parameter.currentValueError = `${spec.ownerService} did not say the current value`;
    }
    return parameter;
  };

  return {
    async listParameters(req) {
      const page = readPageRequest(req, { list: "governance.ListParameters", filters: [], cursor: { name: "text" } });
      const after = page.after;
      const names = [...parameters.keys()].sort().filter((name) => after === undefined || name > after.name);
      const { items, nextPageToken } = toPage(names.slice(0, page.limit), page, (name) => ({ name }));
      return { parameters: await Promise.all(items.map((name) => describe(parameters.get(name)!))), nextPageToken };
    },

    async getParameter(req) {
      const spec = parameters.get(req.name);
      if (spec === undefined) throw new DomainError("not_found", `no governable parameter ${JSON.stringify(req.name)}`);
      return { parameter: await describe(spec) };
    },

    async addMember(req, ctx) {
      const principal = requireRole(ctx, "operator");
      const row = await db.transaction(async (tx) => {
        const [added] = await tx
          .insert(members)
          .values({ subject: req.subject, addedBy: principal.subject, addedAt: now() })
          .onConflictDoNothing()
          .returning();
        if (added === undefined) return (await tx.select().from(members).where(eq(members.subject, req.subject)))[0]!;
        await appendEvents(tx, [
          { subject: subject("member_added"), schema: MemberAddedSchema, message: create(MemberAddedSchema, { member: toMember(added) }) },
        ]);
        return added;
      });
      return { member: toMember(row) };
    },

    async removeMember(req, ctx) {
      const principal = requireRole(ctx, "operator");
      await db.transaction(async (tx) => {
        const removed = await tx.delete(members).where(eq(members.subject, req.subject)).returning();
        if (removed.length === 0) throw new DomainError("not_found", `${req.subject} is not a member`);
        await appendEvents(tx, [
          {
            subject: subject("member_removed"),
            schema: MemberRemovedSchema,
            message: create(MemberRemovedSchema, { subject: req.subject, removedBy: principal.subject }),
          },
        ]);
      });
      return {};
    },

    async listMembers(req) {
      const page = readPageRequest(req, { list: "governance.ListMembers", filters: [], cursor: { subject: "text" } });
      const rows = await db
        .select()
        .from(members)
        .where(page.after === undefined ? undefined : gt(members.subject, page.after.subject))
        .orderBy(asc(members.subject))
        .limit(page.limit);
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ subject: row.subject }));
      return { members: items.map(toMember), nextPageToken };
    },

    async createProposal(req, ctx) {
      const principal = principalOf(ctx);
      const id = req.proposalId.toLowerCase();
      const spec = specOf(req.parameter);
      if (req.newValue < spec.min || req.newValue > spec.max) {
        throw new DomainError(
          "invalid_argument",
          `new_value ${req.newValue} is out of bounds for ${spec.name}: from ${spec.min} to ${spec.max} ${spec.unit}`,
        );
      }
      const wanted = { proposer: principal.subject, parameter: spec.name, newValue: req.newValue, rationale: req.rationale };
      const existing = await db.select().from(proposals).where(eq(proposals.id, id));
      if (existing[0] !== undefined) return { proposal: toProposal(sameProposal(existing[0], wanted), now()) };
      const [member] = await db.select().from(members).where(eq(members.subject, principal.subject));
      if (member === undefined) throw notAMember(principal.subject);
      let previousValue: bigint;
      try {
        previousValue = await readValue(spec);
      } catch (error) {
        throw transientError(error, spec.ownerService);
      }
      if (previousValue === req.newValue) {
        throw new DomainError("invalid_argument", `${spec.name} is already ${req.newValue}: propose a different value`);
      }
      const rule = req.newValue > previousValue ? spec.raiseRule : spec.lowerRule;
      const createdAt = now();
      const voteStart = new Date(createdAt.getTime() + options.votingDelayMs);
      const input = {
        id,
        ...wanted,
        previousValue,
        rule,
        createdAt,
        voteStart,
        voteEnd: new Date(voteStart.getTime() + options.votingPeriodMs),
      };
      const insert = () => retryOnConflict(() => db.transaction((tx) => insertProposal(tx, input, subject)));
      // A concurrent request that won a race on the id or the parameter fails this insert on a
      // unique index; once more, the checks see its proposal and answer accordingly.
      const row = await insert().catch((error: unknown) => {
        if (pgErrorCode(error) === UNIQUE_VIOLATION) return insert();
        throw error;
      });
      return { proposal: toProposal(row, now()) };
    },

    async getProposal(req) {
      const row = await db.transaction((tx) => findProposal(tx, req.id.toLowerCase()));
      if (row === undefined) throw new DomainError("not_found", `proposal ${req.id} not found`);
      return { proposal: toProposal(row, now()) };
    },

    async listProposals(req) {
      const at = now();
      const stored = req.state === ProposalState.UNSPECIFIED ? undefined : storedStateOf(req.state);
      const page = readPageRequest(req, {
        list: "governance.ListProposals",
        filters: [String(req.state)],
        cursor: { createdAt: "timestamp", id: "uuid" },
      });
      const after = page.after;
      const rows = await db
        .select()
        .from(proposals)
        .where(
          and(
            stored === undefined ? undefined : eq(proposals.state, stored),
            req.state === ProposalState.PENDING ? gt(proposals.voteStart, at) : undefined,
            req.state === ProposalState.ACTIVE ? sql`${proposals.voteStart} <= ${at}` : undefined,
            after === undefined
              ? undefined
              : or(lt(proposals.createdAt, after.createdAt), and(eq(proposals.createdAt, after.createdAt), lt(proposals.id, after.id))),
          ),
        )
        .orderBy(desc(proposals.createdAt), desc(proposals.id))
        .limit(page.limit);
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ createdAt: row.createdAt, id: row.id }));
      return { proposals: items.map((row) => toProposal(row, at)), nextPageToken };
    },

    async castVote(req, ctx) {
      const principal = principalOf(ctx);
      const { vote, proposal } = await retryOnConflict(() =>
        db.transaction((tx) =>
          castVote(
            tx,
            {
              proposalId: req.proposalId.toLowerCase(),
              voter: principal.subject,
              support: supportNameOf(req.support),
              reason: req.reason,
              at: now(),
            },
            subject,
          ),
        ),
      );
      return { vote: toVote(vote), proposal: toProposal(proposal, now()) };
    },

    async listVotes(req) {
      const proposalId = req.proposalId.toLowerCase();
      const page = readPageRequest(req, { list: "governance.ListVotes", filters: [proposalId], cursor: { voter: "text" } });
      const after = page.after;
      const rows = await db
        .select()
        .from(votes)
        .where(and(eq(votes.proposalId, proposalId), after === undefined ? undefined : gt(votes.voter, after.voter)))
        .orderBy(asc(votes.voter))
        .limit(page.limit);
      const { items, nextPageToken } = toPage(rows, page, (row) => ({ voter: row.voter }));
      return { votes: items.map(toVote), nextPageToken };
    },

    async cancelProposal(req, ctx) {
      const principal = principalOf(ctx);
      const row = await retryOnConflict(() => db.transaction((tx) => cancelProposal(tx, req.id.toLowerCase(), principal, now(), subject)));
      return { proposal: toProposal(row, now()) };
    },

    async getTally(req) {
      const [row] = await db.select().from(proposalTallies).where(eq(proposalTallies.proposalId, req.proposalId.toLowerCase()));
      if (row === undefined) {
        throw new DomainError(
          "not_found",
          `no tally of proposal ${req.proposalId} yet: the read table follows the event stream within a second`,
        );
      }
      return {
        tally: create(TallySchema, {
          forVotes: row.forVotes,
          againstVotes: row.againstVotes,
          abstainVotes: row.abstainVotes,
          eligible: row.eligible,
        }),
        state: stateOf({ state: row.state, voteStart: new Date(0) }, now()),
      };
    },

    async getTreeHead() {
      const treeSize = await log.size();
      const rootHash = await log.tree.root(treeSize);
      const timestamp = now().getTime();
      return {
        treeHead: create(SignedTreeHeadSchema, {
          treeSize: BigInt(treeSize),
          timestamp: BigInt(timestamp),
          rootHash,
          signature: signer.sign({ treeSize, timestamp, rootHash }),
          keyId: signer.keyId,
        }),
      };
    },

    async getPublicKey() {
      return { publicKey: signer.publicKey, publicKeyPem: signer.publicKeyPem, keyId: signer.keyId };
    },

    async getLeaves(req) {
      const start = Number(req.start);
      const end = Number(req.end);
      if (end <= start) throw new DomainError("invalid_argument", `end ${end} must be greater than start ${start}`);
      if (end - start > MAX_LEAVES)
        throw new DomainError("invalid_argument", `at most ${MAX_LEAVES} leaves per call; ask for [${start}, ${start + MAX_LEAVES})`);
      const size = await log.size();
      if (end > size) throw new DomainError("invalid_argument", `end ${end} is beyond the log's size ${size}`);
      const leaves = await log.leaves(start, end);
      return { leaves: leaves.map((leaf) => ({ index: BigInt(leaf.index), data: leaf.data })) };
    },

    async getInclusionProof(req) {
      const index = Number(req.leafIndex);
      const treeSize = Number(req.treeSize);
      const size = await log.size();
      if (treeSize > size) throw new DomainError("invalid_argument", `tree_size ${treeSize} is beyond the log's size ${size}`);
      if (index >= treeSize) throw new DomainError("invalid_argument", `leaf_index ${index} is beyond the tree of size ${treeSize}`);
      return { leafIndex: req.leafIndex, treeSize: req.treeSize, auditPath: await log.tree.inclusionProof(index, treeSize) };
    },

    async getConsistencyProof(req) {
      const first = Number(req.first);
      const second = Number(req.second);
      const size = await log.size();
      if (second > size) throw new DomainError("invalid_argument", `second ${second} is beyond the log's size ${size}`);
      if (first > second) throw new DomainError("invalid_argument", `first ${first} is greater than second ${second}`);
      return { first: req.first, second: req.second, proof: await log.tree.consistencyProof(first, second) };
    },
  };
}

function ruleOf(rule: Rule) {
  return create(DecisionRuleSchema, rule);
}

function toMember(row: typeof members.$inferSelect): Member {
  return create(MemberSchema, { subject: row.subject, addedBy: row.addedBy, addTime: timestampFromDate(row.addedAt) });
}
