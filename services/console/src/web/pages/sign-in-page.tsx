import { useState } from "preact/hooks";
import type { ConsoleConfig } from "../console-config.js";
import { type Session, sessionFromToken, signInAs } from "../session.js";
import { ErrorNote } from "../ui.js";

/**
 * Development: one button per demo person, signed by the console server. Production: a token
 * from the identity provider, pasted (the console never sees a password).
 */
export function SignInPage(props: { config: ConsoleConfig; onSignedIn(session: Session): void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [token, setToken] = useState("");
  const { signIn } = props.config;
  return (
    <main class="sign-in">
      <h1>Sign in to paymesh</h1>
      {signIn.kind === "development" ? (
        <>
          <p class="hint">Development sign-in: choose who you are. This page does not exist in production.</p>
          <ul class="people">
            {signIn.people.map((person) => (
              <li key={person.subject}>
                <button
                  type="button"
                  disabled={busy}
                  onClick={async () => {
                    setBusy(true);
                    setError(undefined);
                    try {
                      props.onSignedIn(await signInAs(person.subject));
                    } catch (caught) {
                      setError(caught);
                      setBusy(false);
                    }
                  }}
                >
                  Sign in as {person.name}
                  {person.role === "operator" ? " (operator)" : ` (@${person.subject})`}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            try {
              props.onSignedIn(sessionFromToken(token));
            } catch (caught) {
              setError(caught);
            }
          }}
        >
          <label for="token">Access token from your identity provider</label>
          <textarea id="token" rows={4} value={token} onInput={(event) => setToken(event.currentTarget.value)} required />
          <button type="submit">Sign in</button>
        </form>
      )}
      <ErrorNote error={error} />
    </main>
  );
}
