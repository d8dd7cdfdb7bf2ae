import { useConsole } from "../console-context.js";
import { ErrorNote, Loading } from "../ui.js";
import { useRpc } from "../use-rpc.js";
import { PreferencesForm } from "./preferences-form.js";

/** Notification preferences: loaded once, then edited in a form that keeps what was last saved. */
export function PreferencesPanel() {
  const { clients } = useConsole();
  const answer = useRpc((signal) => clients.notifications.getPreferences({}, { signal }), [clients]);
  return (
    <section class="settings-section" aria-labelledby="preferences-title" data-testid="preferences">
      <h2 id="preferences-title">Notification preferences</h2>
      <p class="hint">Choose how each kind of notification reaches you.</p>
      {answer.data !== undefined ? (
        <PreferencesForm initial={answer.data.preferences!} />
      ) : answer.loading ? (
        <Loading what="your preferences" />
      ) : (
        <ErrorNote error={answer.error} onRetry={answer.reload} />
      )}
    </section>
  );
}
