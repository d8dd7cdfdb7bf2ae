import type { MessageInitShape } from "@bufbuild/protobuf";
import { type PostingError, PostingErrorSchema } from "@paymesh/gen/paymesh/ledger/v1/errors_pb";
import { DomainError, type DomainErrorKind, errorDetail, itemErrorOf } from "@paymesh/runtime";

/**
 * A refused posting command: a domain error whose message is for people and whose PostingError
 * detail is for code, so callers decide by the reason and the accounts named, never by the text.
 */
export function postingRefusal(kind: DomainErrorKind, message: string, detail: MessageInitShape<typeof PostingErrorSchema>): DomainError {
  return new DomainError(kind, message, {}, [errorDetail(PostingErrorSchema, detail)]);
}

/** The PostingError a refusal carries, if it is one. */
export function postingErrorOf(error: DomainError): PostingError | undefined {
  return itemErrorOf(error, PostingErrorSchema).detail;
}
