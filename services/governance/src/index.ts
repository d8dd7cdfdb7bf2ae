export { createGovernanceService, type GovernanceServiceOptions, governanceService } from "./main.js";
export { type Hash, hashesEqual, leafHash } from "./merkle-hash.js";
export { nodeKeyId } from "./merkle-plan.js";
export { nodesForAppend } from "./merkle-tree.js";
export { DEVELOPMENT_SIGNING_KEY } from "./read-governance-config.js";
export { keyIdOf, verifyTreeHead } from "./tree-head-signature.js";
export { type MonitorState, type VerifyLogOptions, type VerifyLogReport, verifyLog } from "./verify-log.js";
export { rootOfLeaves, verifyConsistency, verifyInclusion } from "./verify-proofs.js";
