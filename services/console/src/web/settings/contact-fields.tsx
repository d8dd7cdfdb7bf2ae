import type { PreferencesDraft } from "./preferences-draft.js";

type Contacts = PreferencesDraft["contacts"];

/** Where email, SMS and push deliver; an empty field means that channel has nowhere to go. */
export function ContactFields(props: { value: Contacts; onChange(patch: Partial<Contacts>): void }) {
  const { value, onChange } = props;
  return (
    <fieldset class="fieldset">
      <legend>Where to reach you</legend>
      <p class="hint">Email, SMS and push go only where you say here; clear a field to receive nothing through it.</p>
      <label for="contact-email">Email address</label>
      <input
        id="contact-email"
        type="email"
        autoComplete="email"
        maxLength={254}
        value={value.email}
        onInput={(event) => onChange({ email: event.currentTarget.value })}
      />
      <label for="contact-phone">Phone number for SMS</label>
      <input
        id="contact-phone"
        type="tel"
        autoComplete="tel"
        placeholder="+14155550100"
        value={value.phone}
        aria-describedby="contact-phone-hint"
        onInput={(event) => onChange({ phone: event.currentTarget.value })}
      />
      <p id="contact-phone-hint" class="hint">
        In international form: a + and the country code first.
      </p>
      <label for="contact-push">Push device token</label>
      <input
        id="contact-push"
        autoComplete="off"
        spellcheck={false}
        maxLength={4096}
        class="mono"
        value={value.pushToken}
        aria-describedby="contact-push-hint"
        onInput={(event) => onChange({ pushToken: event.currentTarget.value })}
      />
      <p id="contact-push-hint" class="hint">
        The token your device's app registered for push notifications; clear it to stop push.
      </p>
    </fieldset>
  );
}
