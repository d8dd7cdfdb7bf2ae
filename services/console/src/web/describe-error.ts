import { Code, ConnectError } from "@connectrpc/connect";

/**
 * An error as a sentence a person can act on: the service's own message (written for people)
 * with what to do about its code. Internal errors keep only their reference, for support.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof ConnectError)) {
    return error instanceof Error ? error.message : "Something went wrong. Try again.";
  }
  const said = sentence(error.rawMessage);
  switch (error.code) {
    case Code.InvalidArgument:
      return `${said} Correct it and try again.`;
    case Code.NotFound:
      return `${said} Check what you typed.`;
    case Code.AlreadyExists:
      return `${said} Choose another.`;
    case Code.FailedPrecondition:
      return `${said}`;
    case Code.PermissionDenied:
      return `You are not allowed to do that: ${lower(said)}`;
    case Code.Unauthenticated:
      return "Your session has ended. Sign in again.";
    case Code.ResourceExhausted:
      return `${said} Wait a minute before trying again.`;
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return "The service did not answer in time. Nothing was lost: try again in a moment.";
    case Code.Canceled:
      return "The request was canceled.";
    default: {
      const ref = /\(ref ([0-9a-f-]+)\)/.exec(error.rawMessage)?.[1];
      return `Something went wrong on our side${ref ? ` (reference ${ref})` : ""}. Try again; if it keeps happening, tell support.`;
    }
  }
}

function sentence(message: string): string {
  const text = message.trim() || "The request was refused.";
  const capital = text[0]!.toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function lower(text: string): string {
  return text[0]!.toLowerCase() + text.slice(1);
}
