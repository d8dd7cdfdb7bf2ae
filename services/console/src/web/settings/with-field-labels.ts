import { ConnectError } from "@connectrpc/connect";

/**
 * The error with the field its message starts with ("url: …", "contacts.email: …", as the
 * services and protovalidate name them) replaced by the label the person saw on the form, so
 * the sentence points at the input to correct. Any other error is returned as it is.
 */
export function withFieldLabels(error: unknown, labels: Readonly<Record<string, string>>): unknown {
  if (!(error instanceof ConnectError)) return error;
  const match = /^([a-z_.]+)(?:\[\d+\])?: ([\s\S]*)$/.exec(error.rawMessage);
  const label = match ? labels[match[1]!] : undefined;
  if (label === undefined) return error;
  const labelled = new ConnectError(`${label}: ${match![2]}`, error.code, error.metadata, [], error.cause);
  labelled.details = error.details;
  return labelled;
}
