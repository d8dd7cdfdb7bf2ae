import { PreferencesPanel } from "../settings/preferences-panel.js";
import { WebhooksPanel } from "../settings/webhooks-panel.js";
import { Page } from "../ui.js";

/** What a person decides about being told: notification preferences, and webhook endpoints for their own systems. */
export function SettingsPage() {
  return (
    <Page title="Settings">
      <div class="settings">
        <PreferencesPanel />
        <WebhooksPanel />
      </div>
    </Page>
  );
}
