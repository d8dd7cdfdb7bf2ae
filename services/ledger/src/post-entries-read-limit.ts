import type { MethodReadLimit } from "@paymesh/runtime";

/**
 * How large a PostEntries request may be: the largest one the API's rules allow, measured (see
 * the test beside this file). A batch of 1,000 entries, each with 100 lines of the longest
 * amounts, a 500-character memo and 32 metadata pairs of 64- and 512-character strings, all in
 * 4-byte UTF-8 characters, is 81,270,000 bytes in protobuf and 86,565,013 in Connect JSON as
 * protobuf-es writes it, hence 83 MiB. Every other method keeps the server's 1 MiB. (JSON
 * that escapes its characters or pads with whitespace can exceed any limit; such a batch must be
 * sent in protobuf or split.)
 *
 * Only the roles PostEntries accepts get it, so that a user's token, which the handler refuses,
 * cannot make the ledger read and parse 83 MiB first.
 */
export const POST_ENTRIES_READ_LIMIT: MethodReadLimit = { maxBytes: 83 * 1_048_576, roles: ["service", "operator"] };
