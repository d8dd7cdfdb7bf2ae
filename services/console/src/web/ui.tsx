import { formatMinor } from "@paymesh/domain/money";
import type { ComponentChildren } from "preact";
import { describeError } from "./describe-error.js";

// The few building blocks every page uses, so loading, empty and failed states look and read
// the same everywhere.

export function Money(props: { amount: bigint; currency: string; signed?: boolean }) {
  const text = formatMinor(props.amount, props.currency);
  const sign = props.signed && props.amount > 0n ? "+" : "";
  return <span class={`money${props.amount < 0n ? " negative" : ""}`}>{`${sign}${text}`}</span>;
}

export function Loading(props: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading {props.what}…
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

export function ErrorNote(props: { error: unknown; onRetry?: () => void }) {
  if (props.error === undefined) return null;
  return (
    <div class="error" role="alert">
      <span>{describeError(props.error)}</span>
      {props.onRetry && (
        <button type="button" class="link" onClick={props.onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function When(props: { time: { seconds: bigint; nanos: number } | undefined }) {
  if (props.time === undefined) return <span>—</span>;
  const date = new Date(Number(props.time.seconds) * 1_000 + Math.floor(props.time.nanos / 1_000_000));
  return <time dateTime={date.toISOString()}>{date.toLocaleString()}</time>;
}

export function Page(props: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{props.title}</h1>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}
