import type { WebhookEndpoint } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote } from "../ui.js";
import { parseEventTypes } from "./parse-event-types.js";
import { withFieldLabels } from "./with-field-labels.js";

/** The form's labels for the fields CreateWebhookEndpoint may refuse. */
const FIELD_LABELS = { url: "Endpoint URL", event_types: "Event types" };

/** Registers a webhook endpoint; the caller gets the endpoint and its secret, which only this answer carries. */
export function WebhookCreateForm(props: { onCreated(endpoint: WebhookEndpoint, secret: string): void }) {
  const { clients } = useConsole();
  const [url, setUrl] = useState("");
  const [eventTypes, setEventTypes] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const created = await clients.notifications.createWebhookEndpoint({ url: url.trim(), eventTypes: parseEventTypes(eventTypes) });
      setUrl("");
      setEventTypes("");
      props.onCreated(created.endpoint!, created.secret);
    } catch (caught) {
      setError(withFieldLabels(caught, FIELD_LABELS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="form" onSubmit={submit} aria-labelledby="webhook-create-title" data-testid="webhook-create">
      <h3 id="webhook-create-title" class="form-title">
        Add an endpoint
      </h3>
      <label for="webhook-url">Endpoint URL</label>
      <input
        id="webhook-url"
        type="url"
        required
        maxLength={2048}
        placeholder="https://example.com/paymesh-webhooks"
        autoComplete="url"
        aria-describedby="webhook-url-hint"
        value={url}
        onInput={(event) => setUrl(event.currentTarget.value)}
      />
      <p id="webhook-url-hint" class="hint">
        Your server, reachable from the internet: local and private network addresses are refused.
      </p>
      <label for="webhook-event-types">Event types (optional)</label>
      <input
        id="webhook-event-types"
        autoComplete="off"
        spellcheck={false}
        placeholder="transfer.received, transfer.failed"
        aria-describedby="webhook-event-types-hint"
        value={eventTypes}
        onInput={(event) => setEventTypes(event.currentTarget.value)}
      />
      <p id="webhook-event-types-hint" class="hint">
        Separated by commas. Leave it empty to receive every event.
      </p>
      <ErrorNote error={error} />
      <div class="actions">
        <button type="submit" disabled={busy} aria-busy={busy}>
          {busy ? "Adding…" : "Add endpoint"}
        </button>
      </div>
    </form>
  );
}
