import type { Vote } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { describeError } from "../describe-error.js";
import { describeVerification } from "./describe-verification.js";
import { pinLogKey, readPinnedLogKey } from "./pinned-log-key.js";
import { verifyMyVote } from "./verify-my-vote.js";

/**
 * "Verify my vote": this browser checks, with its own WebCrypto, that the signed log includes the
 * person's vote, and says what it checked or which check failed.
 */
export function VerifyVote(props: { proposalId: string; vote: Vote }) {
  const { clients, session } = useConsole();
  const [result, setResult] = useState<{ verified: boolean; sentence: string }>();
  const [busy, setBusy] = useState(false);

  const verify = async () => {
    setBusy(true);
    setResult(undefined);
    try {
      const outcome = await verifyMyVote(clients.governance, {
        vote: props.vote,
        voter: session.subject,
        proposalId: props.proposalId,
        pinnedKeyId: readPinnedLogKey(),
      });
      if (outcome.verified) pinLogKey(outcome.keyId);
      setResult({ verified: outcome.verified, sentence: describeVerification(outcome) });
    } catch (error) {
      setResult({ verified: false, sentence: `Could not check your vote: ${describeError(error)}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="verify">
      <button type="button" class="secondary" data-testid="verify-vote" onClick={verify} disabled={busy} aria-busy={busy}>
        {busy ? "Checking the log…" : "Verify my vote"}
      </button>
      <span class="hint"> Your browser checks the log's signature and your vote's place in it itself, trusting no one's word.</span>
      {result && (
        <p
          class={`verify-result ${result.verified ? "verified" : "unverified"}`}
          role={result.verified ? "status" : "alert"}
          data-testid="verify-result"
          data-verified={String(result.verified)}
        >
          {result.sentence}
        </p>
      )}
    </div>
  );
}
