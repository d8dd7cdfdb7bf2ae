import { type Proposal, ProposalState } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ProposalCard } from "../governance/proposal-card.js";
import { ProposalForm } from "../governance/proposal-form.js";
import { STATE_LABELS } from "../governance/proposal-states.js";
import { useParameters } from "../governance/use-parameters.js";
import { useLiveNotifications } from "../live-notifications.js";
import { Empty, ErrorNote, Loading, Page, When } from "../ui.js";
import { usePages } from "../use-pages.js";

/** The states a person may filter by, in the order a proposal moves through them. */
const FILTERS = [
  ProposalState.UNSPECIFIED,
  ProposalState.PENDING,
  ProposalState.ACTIVE,
  ProposalState.SUCCEEDED,
  ProposalState.QUEUED,
  ProposalState.EXECUTED,
  ProposalState.DEFEATED,
  ProposalState.FAILED,
  ProposalState.EXPIRED,
  ProposalState.CANCELED,
];

/**
 * Governance for members: proposals newest first (by state if asked), each with its live tally,
 * the person's vote and a check of that vote against the signed log; and a form to propose a
 * change to a rule. A notification (a proposal opened or closed) reloads the list.
 */
export function GovernancePage() {
  const { clients } = useConsole();
  const { version } = useLiveNotifications();
  const [state, setState] = useState(ProposalState.UNSPECIFIED);
  const [generation, setGeneration] = useState(0);
  const [proposing, setProposing] = useState(false);
  const [created, setCreated] = useState<Proposal>();
  const parameters = useParameters(generation);
  const proposals = usePages<Proposal>(
    async (pageToken, signal) => {
      const page = await clients.governance.listProposals({ state, pageSize: 20, pageToken }, { signal });
      return { items: page.proposals, nextPageToken: page.nextPageToken };
    },
    [clients, state, generation, version],
  );

  const onCreated = (proposal: Proposal) => {
    setCreated(proposal);
    setProposing(false);
    setState(ProposalState.UNSPECIFIED);
    setGeneration((n) => n + 1);
  };

  const rules = parameters.data;
  return (
    <Page
      title="Governance"
      actions={
        !proposing && (
          <button
            type="button"
            onClick={() => {
              setCreated(undefined);
              setProposing(true);
            }}
          >
            Propose a change
          </button>
        )
      }
    >
      <p class="hint">
        Members change the platform's rules by proposal and vote. Every proposal and vote is a leaf of a public, signed log that your
        browser can check.
      </p>
      {created && (
        <div class="outcome success" role="status" data-testid="created-proposal" data-proposal-id={created.id}>
          <p>
            Proposed: {created.parameter}. Voting opens <When time={created.voteStartTime} />.
          </p>
        </div>
      )}
      {proposing &&
        (rules !== undefined ? (
          <ProposalForm parameters={[...rules.values()]} onCreated={onCreated} onClose={() => setProposing(false)} />
        ) : parameters.loading ? (
          <Loading what="the rules you can change" />
        ) : null)}
      <ErrorNote error={parameters.error} onRetry={parameters.reload} />
      <div class="filters">
        <div>
          <label for="proposal-state-filter">Show</label>
          <select
            id="proposal-state-filter"
            value={state}
            onChange={(event) => setState(Number(event.currentTarget.value) as ProposalState)}
          >
            {FILTERS.map((filter) => (
              <option key={filter} value={filter}>
                {filter === ProposalState.UNSPECIFIED ? "All proposals" : STATE_LABELS[filter]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorNote error={proposals.error} onRetry={proposals.loadMore} />
      {proposals.items.length === 0 || (rules === undefined && parameters.loading) ? (
        proposals.loading || parameters.loading ? (
          <Loading what="proposals" />
        ) : (
          proposals.error === undefined && (
            <Empty>
              {state === ProposalState.UNSPECIFIED
                ? "No proposals yet — propose a change to a rule."
                : `No ${STATE_LABELS[state].toLowerCase()} proposals.`}
            </Empty>
          )
        )
      ) : (
        <ul class="proposals" data-testid="proposals">
          {proposals.items.map((proposal) => (
            <ProposalCard key={proposal.id} proposal={proposal} parameter={rules?.get(proposal.parameter)} />
          ))}
        </ul>
      )}
      {proposals.more && (
        <button type="button" class="secondary" onClick={proposals.loadMore} disabled={proposals.loading}>
          {proposals.loading ? "Loading…" : "Show older"}
        </button>
      )}
    </Page>
  );
}
