import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import type { Code } from "@connectrpc/connect";
import type { DomainError } from "./domain-error.js";
import { toConnectError } from "./to-connect-error.js";

/** One refused item of a batch API's response (e.g. the ledger's EntryError). */
export interface ItemError<Desc extends DescMessage> {
  code: Code;
  message: string;
  /** The error's detail of the batch API's detail type, if it carries one. */
  detail: MessageShape<Desc> | undefined;
}

/**
 * A domain error as one item's result in a batch API: the code and message a single call of
 * the same item would have failed with, and its typed detail of `desc`, so a caller decides
 * the same way whichever API it used.
 */
export function itemErrorOf<Desc extends DescMessage>(error: DomainError, desc: Desc): ItemError<Desc> {
  const wire = toConnectError(error);
  return { code: wire.code, message: wire.rawMessage, detail: wire.findDetails(desc)[0] };
}
