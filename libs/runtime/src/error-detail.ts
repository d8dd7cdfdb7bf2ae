import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";

/**
 * A typed fact about a failure, for the caller's code rather than its people: a protobuf
 * message with its schema, the shape ConnectError sends as an outgoing detail (wrapped in
 * google.protobuf.Any on the wire). Callers read it with `ConnectError.findDetails(schema)`,
 * so no service ever needs to parse another's error message.
 */
export interface ErrorDetail {
  readonly desc: DescMessage;
  readonly value: MessageInitShape<DescMessage>;
}

/** An error detail whose value is type-checked against its schema. */
export function errorDetail<Desc extends DescMessage>(desc: Desc, value: MessageInitShape<Desc>): ErrorDetail {
  return { desc, value: value as MessageInitShape<DescMessage> };
}
