import type { Hash } from "./merkle-hash.js";
import type { NodeKey } from "./merkle-plan.js";

/** Where the log's subtree hashes are kept: a table in the service, a map in tests. */
export interface NodeReader {
  /** The hashes of the given stored nodes, by `nodeKeyId`, in one read. A key never stored is absent. */
  read(keys: readonly NodeKey[]): Promise<Map<string, Hash>>;
}
