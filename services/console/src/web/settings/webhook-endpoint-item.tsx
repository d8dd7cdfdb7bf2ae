import type { RotateWebhookSecretResponse, WebhookEndpoint } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote, When } from "../ui.js";
import { WebhookDeliveries } from "./webhook-deliveries.js";

/** One endpoint: what it receives, its state, rotating its secret, deleting it (after a confirmation), its deliveries. */
export function WebhookEndpointItem(props: {
  endpoint: WebhookEndpoint;
  onRotated(rotated: RotateWebhookSecretResponse): void;
  onDeleted(): void;
}) {
  const { clients } = useConsole();
  const { endpoint } = props;
  const [busy, setBusy] = useState<"rotating" | "deleting">();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>();
  const deleteButton = useRef<HTMLButtonElement>(null);
  const keepButton = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    if (confirming) keepButton.current?.focus();
  }, [confirming]);

  const act = async (kind: "rotating" | "deleting", action: () => Promise<void>) => {
    if (busy !== undefined) return;
    setBusy(kind);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(undefined);
    }
  };
  const rotate = () => act("rotating", async () => props.onRotated(await clients.notifications.rotateWebhookSecret({ id: endpoint.id })));
  const remove = () =>
    act("deleting", async () => {
      await clients.notifications.deleteWebhookEndpoint({ id: endpoint.id });
      props.onDeleted();
    });
  const keep = () => {
    setConfirming(false);
    deleteButton.current?.focus();
  };

  const titleId = `webhook-title-${endpoint.id}`;
  const confirmId = `webhook-confirm-${endpoint.id}`;
  return (
    <li class="panel endpoint" aria-labelledby={titleId} data-testid={`webhook-${endpoint.id}`}>
      <div class="endpoint-head">
        <div>
          <h3 id={titleId} class="mono endpoint-url">
            {endpoint.url}
          </h3>
          <p class="hint">
            {endpoint.eventTypes.length === 0 ? "Every event" : `Events: ${endpoint.eventTypes.join(", ")}`} · added{" "}
            <When time={endpoint.createTime} />
          </p>
          {endpoint.disabled && (
            <p class="status failed">
              Disabled: {endpoint.disabledReason || "its deliveries stopped"}. Add the endpoint again to receive deliveries.
            </p>
          )}
        </div>
        <div class="row-actions">
          <button
            type="button"
            class="secondary"
            onClick={rotate}
            disabled={busy !== undefined}
            aria-busy={busy === "rotating"}
            data-testid={`rotate-${endpoint.id}`}
          >
            {busy === "rotating" ? "Rotating…" : "Rotate secret"}
          </button>
          <button
            type="button"
            class="secondary"
            ref={deleteButton}
            onClick={() => setConfirming(true)}
            disabled={busy !== undefined}
            aria-expanded={confirming}
            aria-controls={confirming ? confirmId : undefined}
            data-testid={`delete-${endpoint.id}`}
          >
            Delete
          </button>
        </div>
      </div>
      {confirming && (
        <div id={confirmId} class="confirm">
          <p>
            Delete this endpoint? Nothing more is sent to <span class="mono">{endpoint.url}</span> and its pending deliveries are dropped.
            This cannot be undone.
          </p>
          <div class="actions">
            <button
              type="button"
              class="danger"
              onClick={remove}
              disabled={busy !== undefined}
              aria-busy={busy === "deleting"}
              data-testid={`confirm-delete-${endpoint.id}`}
            >
              {busy === "deleting" ? "Deleting…" : "Delete endpoint"}
            </button>
            <button type="button" class="secondary" ref={keepButton} onClick={keep} disabled={busy !== undefined}>
              Keep it
            </button>
          </div>
        </div>
      )}
      <ErrorNote error={error} />
      <WebhookDeliveries endpoint={endpoint} />
    </li>
  );
}
