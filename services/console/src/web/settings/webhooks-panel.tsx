import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { WebhookEndpoint } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { useRef, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { Empty, ErrorNote, Loading, When } from "../ui.js";
import { usePages } from "../use-pages.js";
import { OneTimeSecret } from "./one-time-secret.js";
import { WebhookCreateForm } from "./webhook-create-form.js";
import { WebhookEndpointItem } from "./webhook-endpoint-item.js";

interface ShownSecret {
  endpointId: string;
  url: string;
  secret: string;
  /** Set for a rotation: until then the previous secret signs too. */
  previousSecretExpireTime?: Timestamp;
}

/** The caller's webhook endpoints: adding one, each with its deliveries, and a secret shown once after creation or rotation. */
export function WebhooksPanel() {
  const { clients } = useConsole();
  const [generation, setGeneration] = useState(0);
  const [shown, setShown] = useState<ShownSecret>();
  const heading = useRef<HTMLHeadingElement>(null);
  const endpoints = usePages<WebhookEndpoint>(
    async (pageToken, signal) => {
      const page = await clients.notifications.listWebhookEndpoints({ pageSize: 20, pageToken }, { signal });
      return { items: page.endpoints, nextPageToken: page.nextPageToken };
    },
    [clients, generation],
  );
  const reload = () => setGeneration((n) => n + 1);
  const dismissSecret = () => {
    setShown(undefined);
    heading.current?.focus();
  };

  return (
    <section class="settings-section" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title" tabIndex={-1} ref={heading}>
        Webhook endpoints
      </h2>
      <p class="hint">
        paymesh sends each of your notifications to these URLs as a signed POST request (Standard Webhooks), so your own systems learn what
        happened to your money as it happens.
      </p>
      <WebhookCreateForm
        onCreated={(endpoint, secret) => {
          setShown({ endpointId: endpoint.id, url: endpoint.url, secret });
          reload();
        }}
      />
      {shown && (
        <OneTimeSecret
          title={shown.previousSecretExpireTime ? `New signing secret for ${shown.url}` : `Signing secret for ${shown.url}`}
          secret={shown.secret}
          onDone={dismissSecret}
        >
          {shown.previousSecretExpireTime && (
            <p class="hint">
              Until <When time={shown.previousSecretExpireTime} />, requests are signed with the previous secret as well: move your server
              to this one before then.
            </p>
          )}
        </OneTimeSecret>
      )}
      <h3>Your endpoints</h3>
      <ErrorNote error={endpoints.error} onRetry={endpoints.loadMore} />
      {endpoints.items.length === 0 ? (
        endpoints.loading ? (
          <Loading what="your webhook endpoints" />
        ) : (
          endpoints.error === undefined && (
            <Empty>No webhook endpoints yet. Add one above to receive your notifications on your own server.</Empty>
          )
        )
      ) : (
        <ul class="endpoints" data-testid="webhook-endpoints">
          {endpoints.items.map((endpoint) => (
            <WebhookEndpointItem
              key={endpoint.id}
              endpoint={endpoint}
              onRotated={(rotated) =>
                setShown({
                  endpointId: endpoint.id,
                  url: endpoint.url,
                  secret: rotated.secret,
                  previousSecretExpireTime: rotated.previousSecretExpireTime,
                })
              }
              onDeleted={() => {
                if (shown?.endpointId === endpoint.id) setShown(undefined);
                reload();
                // Its buttons are gone with it: keep a keyboard user's place in the section.
                heading.current?.focus();
              }}
            />
          ))}
        </ul>
      )}
      {endpoints.more && (
        <button type="button" class="secondary" onClick={endpoints.loadMore} disabled={endpoints.loading}>
          {endpoints.loading ? "Loading…" : "Show more"}
        </button>
      )}
    </section>
  );
}
