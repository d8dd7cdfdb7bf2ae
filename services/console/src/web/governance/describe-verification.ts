import { SUPPORT_NAMES } from "./support-names.js";
import { toHex } from "./to-hex.js";
import type { VoteVerification } from "./verify-my-vote.js";

/** What was checked, in one sentence a person can repeat to someone else. */
export function describeVerification(result: VoteVerification): string {
  if (!result.verified) return `Not verified: ${result.failedCheck}.`;
  const { vote, leafIndex, treeSize, pathLength, rootHash, keyId, signedAt } = result;
  const where = `is leaf ${leafIndex} of the log's ${treeSize} ${treeSize === 1n ? "leaf" : "leaves"}`;
  const root = `${toHex(rootHash).slice(0, 12)}…`;
  const path =
    pathLength === 0
      ? `its hash is the root ${root}`
      : `the path of ${pathLength} ${pathLength === 1 ? "hash" : "hashes"} leads to root ${root}`;
  return `Verified: your ${SUPPORT_NAMES[vote.support]} vote on proposal ${vote.proposalId.slice(0, 8)}… ${where}; ${path}, which the log signed with key ${keyId.slice(0, 12)}… at ${signedAt.toLocaleString()}.`;
}
