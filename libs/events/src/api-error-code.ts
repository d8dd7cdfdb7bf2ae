import type { NatsError } from "nats";

/** The JetStream API error code (`err_code`) an error carries, if the server answered with one. */
export function apiErrorCode(error: unknown): number | undefined {
  return (error as Partial<NatsError> | undefined)?.api_error?.err_code;
}
