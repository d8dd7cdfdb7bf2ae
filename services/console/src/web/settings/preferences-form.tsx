import type { Preferences } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { useMemo, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote } from "../ui.js";
import { ContactFields } from "./contact-fields.js";
import { buildPreferenceGrid } from "./preference-grid.js";
import { PreferenceSwitches } from "./preference-switches.js";
import { changesOf, draftOf, type PreferencesDraft } from "./preferences-draft.js";
import { QuietHoursFields } from "./quiet-hours-fields.js";
import { withFieldLabels } from "./with-field-labels.js";

/** The form's labels for the fields UpdatePreferences may refuse. */
const FIELD_LABELS = {
  "quiet_hours.time_zone": "Time zone",
  "quiet_hours.start_minute": "Quiet hours from",
  "quiet_hours.end_minute": "Quiet hours until",
  "contacts.email": "Email address",
  "contacts.phone": "Phone number",
  "contacts.push_token": "Push device token",
};

/** The caller's preferences, edited as one form and saved in one UpdatePreferences call. */
export function PreferencesForm(props: { initial: Preferences }) {
  const { clients } = useConsole();
  const [saved, setSaved] = useState(props.initial);
  const [draft, setDraft] = useState(() => draftOf(props.initial));
  const [state, setState] = useState<"editing" | "saving" | "saved" | "unchanged">("editing");
  const [error, setError] = useState<unknown>();
  const grid = useMemo(() => buildPreferenceGrid(saved.preferences), [saved]);

  const edit = (change: (previous: PreferencesDraft) => PreferencesDraft) => {
    setDraft(change);
    setState("editing");
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (state === "saving") return;
    setError(undefined);
    let changes: ReturnType<typeof changesOf>;
    try {
      changes = changesOf(saved, draft);
    } catch (caught) {
      setError(caught);
      return;
    }
    if (changes === undefined) {
      setState("unchanged");
      return;
    }
    setState("saving");
    try {
      const now = (await clients.notifications.updatePreferences(changes)).preferences!;
      setSaved(now);
      setDraft(draftOf(now));
      setState("saved");
    } catch (caught) {
      setError(withFieldLabels(caught, FIELD_LABELS));
      setState("editing");
    }
  };

  return (
    <form class="preferences-form" onSubmit={save} aria-labelledby="preferences-title">
      <fieldset class="plain" disabled={state === "saving"}>
        <PreferenceSwitches
          grid={grid}
          switches={draft.switches}
          onChange={(key, enabled) => edit((previous) => ({ ...previous, switches: { ...previous.switches, [key]: enabled } }))}
        />
        <QuietHoursFields
          value={draft.quietHours}
          onChange={(patch) => edit((previous) => ({ ...previous, quietHours: { ...previous.quietHours, ...patch } }))}
        />
        <ContactFields
          value={draft.contacts}
          onChange={(patch) => edit((previous) => ({ ...previous, contacts: { ...previous.contacts, ...patch } }))}
        />
      </fieldset>
      <ErrorNote error={error} />
      <div class="actions">
        <button type="submit" data-testid="save-preferences" disabled={state === "saving"} aria-busy={state === "saving"}>
          {state === "saving" ? "Saving…" : "Save preferences"}
        </button>
        <span role="status" class="saved-note">
          {state === "saved" && <span data-testid="preferences-saved">Saved.</span>}
          {state === "unchanged" && "Nothing changed since you last saved."}
        </span>
      </div>
    </form>
  );
}
