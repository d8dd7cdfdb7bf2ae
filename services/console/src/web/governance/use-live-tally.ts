import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type Proposal, type ProposalState, type Tally, TallySchema } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import type { RefObject } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { isInFlight } from "./proposal-states.js";

/** How often an in-flight proposal on screen asks for its tally. */
const POLL_MS = 3_000;
/**
 * How long after a vote to ask: the vote's own answer already counts it, and the table behind
 * GetTally follows the event stream within about a second, so asking sooner shows nothing new.
 */
const AFTER_VOTE_MS = 1_000;

export interface LiveTally {
  /** The newest counts known, from the proposal itself or GetTally, whichever has seen more votes. */
  tally: Tally;
  /** The state the tally table last saw, once it has answered. */
  state: ProposalState | undefined;
  /** Why the last poll failed; polling carries on. */
  error: unknown;
  /** Asks again soon (after a vote) instead of at the next tick. */
  refresh(): void;
}

/**
 * A proposal's tally from GetTally, asked every few seconds while the proposal can still change
 * and its card is on screen in a visible tab: nobody pays for polls of what nobody sees.
 */
export function useLiveTally(proposal: Proposal, card: RefObject<Element | null>): LiveTally {
  const { clients } = useConsole();
  const [polled, setPolled] = useState<{ tally: Tally | undefined; state: ProposalState }>();
  const [error, setError] = useState<unknown>();
  const [onScreen, setOnScreen] = useState(true);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const element = card.current;
    if (element === null) return;
    const observer = new IntersectionObserver(([entry]) => setOnScreen(entry?.isIntersecting ?? true));
    observer.observe(element);
    return () => observer.disconnect();
  }, [card]);

  const live = isInFlight(proposal.state) && onScreen;
  useEffect(() => {
    if (!live) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      if (document.visibilityState === "visible") {
        try {
          const answer = await clients.governance.getTally({ proposalId: proposal.id }, { signal: controller.signal });
          setPolled({ tally: answer.tally, state: answer.state });
          setError(undefined);
        } catch (caught) {
          // NOT_FOUND: the table has not seen the proposal yet (it follows the stream within a second).
          const code = ConnectError.from(caught).code;
          if (!controller.signal.aborted && code !== Code.NotFound) setError(caught);
        }
      }
      if (!controller.signal.aborted) timer = setTimeout(poll, POLL_MS);
    };
    // The card starts from the proposal as listed, which is current: the first ask can wait.
    timer = setTimeout(poll, generation === 0 ? POLL_MS : AFTER_VOTE_MS);
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [clients, proposal.id, live, generation]);

  const refresh = useCallback(() => setGeneration((n) => n + 1), []);
  return { tally: newest(proposal.tally, polled?.tally), state: polled?.state, error, refresh };
}

/**
 * Counts only grow, so the larger of each is the newer: the proposal a vote returns is ahead of
 * the table, which follows the event stream a moment later, and must not be overwritten by it.
 */
function newest(a: Tally | undefined, b: Tally | undefined): Tally {
  return create(TallySchema, {
    forVotes: Math.max(a?.forVotes ?? 0, b?.forVotes ?? 0),
    againstVotes: Math.max(a?.againstVotes ?? 0, b?.againstVotes ?? 0),
    abstainVotes: Math.max(a?.abstainVotes ?? 0, b?.abstainVotes ?? 0),
    eligible: Math.max(a?.eligible ?? 0, b?.eligible ?? 0),
  });
}
