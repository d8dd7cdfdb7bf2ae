/**
 * The largest request message a method takes, in bytes after decompression, unless it declares
 * its own limit. 1 MiB: a dozen times the largest single-item request of our APIs (one ledger
 * entry of 100 lines with a full memo and metadata is about 81 KB), so only a batch
 * (PostEntries) needs more; and small enough that a burst of maximal requests does not threaten
 * the process. connect-node's own default is 4 GiB.
 */
export const DEFAULT_READ_MAX_BYTES = 1_048_576;
