import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Proposal, ProposalState, type Vote, VoteSupport } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useRef, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote, When } from "../ui.js";
import { SUPPORT_NAMES } from "./support-names.js";

const CHOICES = [
  { support: VoteSupport.FOR, label: "Vote for", testId: "vote-for" },
  { support: VoteSupport.AGAINST, label: "Vote against", testId: "vote-against" },
  { support: VoteSupport.ABSTAIN, label: "Abstain", testId: "vote-abstain" },
] as const;

export interface VotePanelProps {
  proposal: Proposal;
  /** The person's vote, once known; undefined before they vote. */
  vote: Vote | undefined;
  /** Whether it is still being looked up (the buttons wait, so nobody votes twice by accident). */
  voteLoading: boolean;
  onVoted(vote: Vote, proposal: Proposal): void;
  /** The service says they already voted: look their vote up again. */
  onAlreadyVoted(): void;
}

/** FOR / AGAINST / ABSTAIN with an optional reason: one final vote, only while voting is open. */
export function VotePanel(props: VotePanelProps) {
  const { clients } = useConsole();
  const { proposal, vote } = props;
  const [reason, setReason] = useState("");
  const [error, setError] = useState<unknown>();
  const [sending, setSending] = useState<VoteSupport>();
  const inFlight = useRef(false);

  const open =
    proposal.state === ProposalState.ACTIVE && proposal.voteEndTime !== undefined && Date.now() < timestampMs(proposal.voteEndTime);
  const canVote = open && vote === undefined && !props.voteLoading && sending === undefined;

  const cast = async (support: VoteSupport) => {
    // A second click while the first vote is on its way would only be refused as a second vote.
    if (inFlight.current) return;
    inFlight.current = true;
    setSending(support);
    setError(undefined);
    try {
      const answer = await clients.governance.castVote({ proposalId: proposal.id, support, reason: reason.trim() });
      props.onVoted(answer.vote!, answer.proposal!);
    } catch (caught) {
      setError(caught);
      if (ConnectError.from(caught).code === Code.AlreadyExists) props.onAlreadyVoted();
    } finally {
      inFlight.current = false;
      setSending(undefined);
    }
  };

  const reasonId = `reason-${proposal.id}`;
  return (
    <div class="vote-panel">
      {vote !== undefined ? (
        <p class="voted" data-testid="my-vote" data-support={SUPPORT_NAMES[vote.support]}>
          You voted <strong>{SUPPORT_NAMES[vote.support]}</strong>
          {vote.reason ? `: “${vote.reason}”` : "."}
        </p>
      ) : proposal.state === ProposalState.PENDING ? (
        <p class="hint">
          Voting opens <When time={proposal.voteStartTime} />.
        </p>
      ) : open ? (
        <p class="hint">
          Voting is open until <When time={proposal.voteEndTime} />. Your vote is final.
        </p>
      ) : (
        <p class="hint">
          {proposal.state === ProposalState.ACTIVE ? "Voting has ended; the result is being counted." : "Voting is closed."}
        </p>
      )}
      {vote === undefined && open && (
        <div class="vote-reason">
          <label for={reasonId}>Reason (optional)</label>
          <input id={reasonId} maxLength={500} value={reason} onInput={(event) => setReason(event.currentTarget.value)} />
        </div>
      )}
      <fieldset class="vote-buttons">
        <legend class="visually-hidden">Your vote</legend>
        {CHOICES.map((choice) => (
          <button
            key={choice.testId}
            type="button"
            class={choice.support === VoteSupport.FOR ? undefined : "secondary"}
            data-testid={choice.testId}
            disabled={!canVote}
            aria-busy={sending === choice.support}
            onClick={() => cast(choice.support)}
          >
            {sending === choice.support ? "Voting…" : choice.label}
          </button>
        ))}
      </fieldset>
      <ErrorNote error={error} />
    </div>
  );
}
