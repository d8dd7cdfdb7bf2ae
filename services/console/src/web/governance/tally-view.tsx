import type { DecisionRule, Tally } from "@paymesh/gen/paymesh/governance/v1/governance_pb";

/** The counts so far against what the proposal's rule needs: how far it is from quorum and approval. */
export function TallyView(props: { tally: Tally; rule: DecisionRule | undefined }) {
  const { forVotes, againstVotes, abstainVotes, eligible } = props.tally;
  const notVoted = Math.max(eligible - forVotes - againstVotes - abstainVotes, 0);
  const quorumBps = props.rule?.quorumBps ?? 0;
  // The rule's quorum, (FOR + ABSTAIN) × 10000 ≥ quorum_bps × eligible, as a head count.
  const quorumNeeded = Math.ceil((quorumBps * eligible) / 10_000);
  const decided = forVotes + againstVotes;
  const share = (count: number) => `${eligible === 0 ? 0 : (count * 100) / eligible}%`;
  return (
    <div
      class="tally"
      data-testid="tally"
      data-for={forVotes}
      data-against={againstVotes}
      data-abstain={abstainVotes}
      data-eligible={eligible}
      aria-live="polite"
    >
      <div class="tally-bar" aria-hidden="true">
        <span class="for" style={{ width: share(forVotes) }} />
        <span class="against" style={{ width: share(againstVotes) }} />
        <span class="abstain" style={{ width: share(abstainVotes) }} />
      </div>
      <ul class="tally-counts">
        <li>
          <strong>{forVotes}</strong> for
        </li>
        <li>
          <strong>{againstVotes}</strong> against
        </li>
        <li>
          <strong>{abstainVotes}</strong> abstain
        </li>
        <li>
          <strong>{notVoted}</strong> not voted, of {eligible} {eligible === 1 ? "member" : "members"}
        </li>
      </ul>
      <p class="hint">
        Quorum: {forVotes + abstainVotes} of {quorumNeeded} needed (FOR + ABSTAIN).{" "}
        {decided === 0 ? "No FOR or AGAINST votes yet." : `${Math.floor((forVotes * 100) / decided)}% of FOR + AGAINST are FOR.`}
      </p>
    </div>
  );
}
