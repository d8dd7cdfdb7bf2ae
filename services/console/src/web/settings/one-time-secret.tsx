import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";

/**
 * A signing secret the service returns once: shown in a marked box that takes the focus (so a
 * keyboard or screen reader user lands on it), with a copy button, until the person says they
 * stored it. It lives only in the caller's state, never in storage.
 */
export function OneTimeSecret(props: { title: string; secret: string; children?: ComponentChildren; onDone(): void }) {
  const box = useRef<HTMLElement>(null);
  const [copied, setCopied] = useState<"copied" | "failed">();
  useLayoutEffect(() => {
    box.current?.focus();
    setCopied(undefined);
  }, [props.secret]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied("copied");
    } catch {
      // The clipboard needs a secure context and the page's permission; selecting still works.
      setCopied("failed");
    }
  };

  return (
    <section class="secret-box" aria-labelledby="secret-title" tabIndex={-1} ref={box} data-testid="webhook-secret">
      <h3 id="secret-title">{props.title}</h3>
      <p>
        <strong>Copy it now: it will not be shown again.</strong> Your server needs it to check the <code>webhook-signature</code> header of
        every request.
      </p>
      <label for="secret-value">Signing secret</label>
      <div class="secret-row">
        <input
          id="secret-value"
          class="mono"
          readOnly
          value={props.secret}
          spellcheck={false}
          autoComplete="off"
          data-testid="webhook-secret-value"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" onClick={copy} data-testid="webhook-secret-copy">
          Copy
        </button>
      </div>
      <p role="status" class="hint">
        {copied === "copied" && "Copied to the clipboard."}
        {copied === "failed" && "This browser would not copy it: select the secret and copy it yourself."}
      </p>
      {props.children}
      <button type="button" class="secondary" onClick={props.onDone} data-testid="webhook-secret-done">
        I have stored it
      </button>
    </section>
  );
}
