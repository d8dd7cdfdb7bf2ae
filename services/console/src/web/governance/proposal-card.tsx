import { timestampMs } from "@bufbuild/protobuf/wkt";
import { type Parameter, type Proposal, ProposalState, type Vote } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote, When } from "../ui.js";
import { CancelProposal } from "./cancel-proposal.js";
import { describeRule } from "./describe-rule.js";
import { formatParameterValue } from "./format-parameter-value.js";
import { isInFlight, STATE_LABELS, stateRank } from "./proposal-states.js";
import { TallyView } from "./tally-view.js";
import { useLiveTally } from "./use-live-tally.js";
import { useMyVote } from "./use-my-vote.js";
import { VerifyVote } from "./verify-vote.js";
import { VotePanel } from "./vote-panel.js";

/** The longest wait setTimeout keeps (about 24.8 days); a later boundary is waited for in steps. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * One proposal: the change it asks for, who asked and why, its voting window, the live tally,
 * the person's vote (cast, shown, verified) and, for whoever may, cancellation. It follows its
 * proposal: asked again when voting opens or ends, and when the tally table sees it move on.
 */
export function ProposalCard(props: { proposal: Proposal; parameter: Parameter | undefined }) {
  const { clients, session } = useConsole();
  const [latest, setLatest] = useState<Proposal>();
  // A reloaded list is at least as fresh as what this card learned on its own.
  useEffect(() => setLatest(undefined), [props.proposal]);
  const proposal = latest ?? props.proposal;
  const card = useRef<HTMLLIElement>(null);
  const live = useLiveTally(proposal, card);
  const myVote = useMyVote(proposal.id);
  const [cast, setCast] = useState<Vote>();
  const vote = cast ?? myVote.data;
  const [refreshError, setRefreshError] = useState<unknown>();

  const refetch = useCallback(async () => {
    try {
      const answer = await clients.governance.getProposal({ id: proposal.id });
      setLatest(answer.proposal);
      setRefreshError(undefined);
    } catch (caught) {
      setRefreshError(caught);
    }
  }, [clients, proposal.id]);

  // PENDING becomes ACTIVE, and ACTIVE stops taking votes, by the clock alone: no event says so.
  useEffect(() => {
    const boundary =
      proposal.state === ProposalState.PENDING
        ? proposal.voteStartTime
        : proposal.state === ProposalState.ACTIVE
          ? proposal.voteEndTime
          : undefined;
    if (boundary === undefined) return;
    const wait = timestampMs(boundary) - Date.now();
    if (wait <= 0) return;
    const timer = setTimeout(refetch, Math.min(wait + 100, MAX_TIMEOUT_MS));
    return () => clearTimeout(timer);
  }, [proposal, refetch]);

  useEffect(() => {
    if (live.state !== undefined && stateRank(live.state) > stateRank(proposal.state)) void refetch();
  }, [live.state, proposal.state, refetch]);

  const onVoted = (vote: Vote, after: Proposal) => {
    setCast(vote);
    setLatest(after);
    live.refresh();
  };

  const mine = proposal.proposer === session.subject;
  // The service's rule: the proposer before voting starts; an operator (the guardian) until it is executed.
  const cancelable = session.role === "operator" ? isInFlight(proposal.state) : mine && proposal.state === ProposalState.PENDING;
  const state = ProposalState[proposal.state];
  return (
    <li class="card proposal" ref={card} data-testid={`proposal-${proposal.id}`} data-state={state}>
      <header class="proposal-header">
        <div>
          <h2 class="parameter-name">{proposal.parameter}</h2>
          {props.parameter && <p class="hint">{props.parameter.description}</p>}
        </div>
        <span class={`state ${state.toLowerCase()}`} data-testid="state">
          {STATE_LABELS[proposal.state]}
        </span>
      </header>
      <p class="change" data-testid="change">
        <span>{formatParameterValue(proposal.previousValue, props.parameter)}</span>
        <span aria-hidden="true"> → </span>
        <span class="visually-hidden"> to </span>
        <strong>{formatParameterValue(proposal.newValue, props.parameter)}</strong>
      </p>
      <blockquote class="rationale">{proposal.rationale}</blockquote>
      <dl class="facts">
        <dt>Proposed by</dt>
        <dd>
          {mine ? "you" : proposal.proposer}, <When time={proposal.createTime} />
        </dd>
        <dt>Voting</dt>
        <dd>
          <When time={proposal.voteStartTime} /> to <When time={proposal.voteEndTime} />
        </dd>
        <dt>Passes with</dt>
        <dd>{describeRule(proposal.rule)}</dd>
        {proposal.closeTime && (
          <>
            <dt>Voting closed</dt>
            <dd>
              <When time={proposal.closeTime} />
            </dd>
          </>
        )}
        {proposal.state === ProposalState.QUEUED && (
          <>
            <dt>Takes effect</dt>
            <dd>
              after <When time={proposal.eta} />
            </dd>
          </>
        )}
        {proposal.endTime && (
          <>
            <dt>{STATE_LABELS[proposal.state]}</dt>
            <dd>
              <When time={proposal.endTime} />
              {proposal.canceledBy && ` by ${proposal.canceledBy === session.subject ? "you" : proposal.canceledBy}`}
            </dd>
          </>
        )}
        {proposal.executionError && (
          <>
            <dt>{proposal.state === ProposalState.QUEUED ? "Last attempt" : "Why"}</dt>
            <dd>{proposal.executionError}</dd>
          </>
        )}
      </dl>
      <TallyView tally={live.tally} rule={proposal.rule} />
      <ErrorNote error={live.error ?? refreshError} />
      <ErrorNote error={myVote.error} onRetry={myVote.reload} />
      <VotePanel proposal={proposal} vote={vote} voteLoading={myVote.loading} onVoted={onVoted} onAlreadyVoted={myVote.reload} />
      {vote && <VerifyVote proposalId={proposal.id} vote={vote} />}
      {cancelable && (
        <div class="actions">
          <CancelProposal proposal={proposal} onCanceled={setLatest} />
        </div>
      )}
    </li>
  );
}
