import { useMemo } from "preact/hooks";
import type { PreferencesDraft } from "./preferences-draft.js";

type QuietHours = PreferencesDraft["quietHours"];

/** Quiet hours: whether, from when until when, in which time zone. */
export function QuietHoursFields(props: { value: QuietHours; onChange(patch: Partial<QuietHours>): void }) {
  const { value, onChange } = props;
  const zones = useMemo(() => Intl.supportedValuesOf("timeZone"), []);
  const here = useMemo(() => Intl.DateTimeFormat().resolvedOptions().timeZone, []);
  // "HH:MM" text compares as times do, so an end before the start is the next morning.
  const overnight = value.enabled && value.end !== "" && value.end < value.start;
  return (
    <fieldset class="fieldset">
      <legend>Quiet hours</legend>
      <p class="hint">
        Email, SMS and push wait until quiet hours end. The inbox and webhooks never wait, and required notifications are never held.
      </p>
      <label class="check">
        <input type="checkbox" checked={value.enabled} onChange={(event) => onChange({ enabled: event.currentTarget.checked })} />
        Hold notifications during quiet hours
      </label>
      <div class="field-row">
        <div>
          <label for="quiet-start">From</label>
          <input
            id="quiet-start"
            type="time"
            required={value.enabled}
            disabled={!value.enabled}
            value={value.start}
            onInput={(event) => onChange({ start: event.currentTarget.value })}
          />
        </div>
        <div>
          <label for="quiet-end">Until</label>
          <input
            id="quiet-end"
            type="time"
            required={value.enabled}
            disabled={!value.enabled}
            value={value.end}
            aria-describedby="quiet-end-hint"
            onInput={(event) => onChange({ end: event.currentTarget.value })}
          />
          <p id="quiet-end-hint" class="hint">
            {overnight ? "Ends the next morning." : ""}
          </p>
        </div>
        <div>
          <label for="quiet-zone">Time zone</label>
          <input
            id="quiet-zone"
            list="quiet-zones"
            autoComplete="off"
            spellcheck={false}
            maxLength={64}
            placeholder="UTC"
            disabled={!value.enabled}
            value={value.timeZone}
            aria-describedby="quiet-zone-hint"
            onInput={(event) => onChange({ timeZone: event.currentTarget.value })}
          />
          <datalist id="quiet-zones">
            {zones.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <p id="quiet-zone-hint" class="hint">
            Empty means UTC.{" "}
            {value.enabled && value.timeZone !== here && (
              <button type="button" class="link" onClick={() => onChange({ timeZone: here })}>
                Use this browser's ({here})
              </button>
            )}
          </p>
        </div>
      </div>
    </fieldset>
  );
}
