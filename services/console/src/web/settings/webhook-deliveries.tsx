import { DeliveryStatus, type WebhookDelivery, type WebhookEndpoint } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { useEffect, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { Empty, ErrorNote, Loading, When } from "../ui.js";
import { usePages } from "../use-pages.js";
import { describeAttempt } from "./describe-attempt.js";
import { redeliveryOutcome } from "./redelivery-outcome.js";

const STATUS: Record<DeliveryStatus, string> = {
  [DeliveryStatus.UNSPECIFIED]: "unknown",
  [DeliveryStatus.PENDING]: "pending",
  [DeliveryStatus.SUCCEEDED]: "delivered",
  [DeliveryStatus.FAILED]: "failed",
};

/**
 * The delivery worker makes the first attempt of a redelivery within a moment, but one that gets
 * no answer takes up to the service's attempt timeout (15 s by default): the list is read again
 * this often, this many times, while a redelivery has no attempt yet.
 */
const POLL_MS = 1_500;
const MAX_POLLS = 15;

type Redelivery = { state: "asking" } | { state: "refused"; error: unknown } | { state: "queued"; attemptsBefore: number };

/** An endpoint's deliveries, newest first, each with its attempts and a way to send it again. */
export function WebhookDeliveries(props: { endpoint: WebhookEndpoint }) {
  const { clients } = useConsole();
  const { endpoint } = props;
  const [generation, setGeneration] = useState(0);
  const [polls, setPolls] = useState(0);
  const [redeliveries, setRedeliveries] = useState<ReadonlyMap<string, Redelivery>>(new Map());
  const deliveries = usePages<WebhookDelivery>(
    async (pageToken, signal) => {
      const page = await clients.notifications.listWebhookDeliveries({ endpointId: endpoint.id, pageSize: 10, pageToken }, { signal });
      return { items: page.deliveries, nextPageToken: page.nextPageToken };
    },
    [clients, endpoint.id, generation],
  );
  const reload = () => setGeneration((n) => n + 1);

  const awaiting = deliveries.items.some((delivery) => {
    const redelivery = redeliveries.get(delivery.id);
    return redelivery?.state === "queued" && redeliveryOutcome(delivery, redelivery.attemptsBefore).state === "sending";
  });
  useEffect(() => {
    if (!awaiting || deliveries.loading || polls >= MAX_POLLS) return;
    const timer = setTimeout(() => {
      setPolls((n) => n + 1);
      setGeneration((n) => n + 1);
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [awaiting, deliveries.loading, polls]);

  const remember = (id: string, redelivery: Redelivery) => setRedeliveries((previous) => new Map(previous).set(id, redelivery));
  const redeliver = async (delivery: WebhookDelivery) => {
    remember(delivery.id, { state: "asking" });
    try {
      const answer = await clients.notifications.redeliverWebhook({ deliveryId: delivery.id });
      remember(delivery.id, { state: "queued", attemptsBefore: answer.delivery?.attempts.length ?? delivery.attempts.length });
      setPolls(0);
      reload();
    } catch (caught) {
      remember(delivery.id, { state: "refused", error: caught });
    }
  };

  const outcomeOf = (delivery: WebhookDelivery) => {
    const redelivery = redeliveries.get(delivery.id);
    if (redelivery?.state !== "queued") return undefined;
    const outcome = redeliveryOutcome(delivery, redelivery.attemptsBefore);
    const stale = outcome.state === "sending" && polls >= MAX_POLLS;
    return (
      <span class={`redelivery ${outcome.state}`}>
        {stale ? "Sent again; no answer recorded yet. Refresh to see the result." : outcome.text}
      </span>
    );
  };

  const titleId = `deliveries-title-${endpoint.id}`;
  return (
    <section class="deliveries" aria-labelledby={titleId} data-testid={`deliveries-${endpoint.id}`}>
      <div class="deliveries-head">
        <h4 id={titleId}>Recent deliveries</h4>
        <button type="button" class="link" onClick={reload} disabled={deliveries.loading}>
          Refresh<span class="visually-hidden"> deliveries to {endpoint.url}</span>
        </button>
      </div>
      {endpoint.disabled && <p class="hint">Deliveries cannot be sent again while the endpoint is disabled.</p>}
      <ErrorNote error={deliveries.error} onRetry={deliveries.loadMore} />
      {deliveries.items.length === 0 ? (
        deliveries.loading ? (
          <Loading what="deliveries" />
        ) : (
          deliveries.error === undefined && <Empty>No deliveries yet: each notification you get is sent here as it happens.</Empty>
        )
      ) : (
        <table class="table deliveries-table">
          <caption class="visually-hidden">Deliveries to {endpoint.url}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Next retry</th>
              {!endpoint.disabled && (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {deliveries.items.map((delivery) => {
              const latest = delivery.attempts.at(-1);
              const redelivery = redeliveries.get(delivery.id);
              const asking = redelivery?.state === "asking";
              return (
                <tr key={delivery.id} data-testid={`delivery-${delivery.id}`}>
                  <td>
                    <When time={delivery.createTime} />
                  </td>
                  <td class="mono">{delivery.eventType}</td>
                  <td>
                    <span class={`status ${STATUS[delivery.status]}`}>{STATUS[delivery.status]}</span>
                    {latest && <div class="hint">{describeAttempt(latest)}</div>}
                  </td>
                  <td>
                    {delivery.attempts.length === 0 ? (
                      "0"
                    ) : (
                      <details>
                        <summary>
                          {delivery.attempts.length}
                          <span class="visually-hidden">{delivery.attempts.length === 1 ? " attempt" : " attempts"}</span>
                        </summary>
                        <ol class="attempts">
                          {delivery.attempts.map((attempt, index) => (
                            <li key={index}>
                              <When time={attempt.time} />: {describeAttempt(attempt)}
                            </li>
                          ))}
                        </ol>
                      </details>
                    )}
                  </td>
                  <td>{delivery.status === DeliveryStatus.PENDING ? <When time={delivery.nextAttemptTime} /> : "—"}</td>
                  {!endpoint.disabled && (
                    <td>
                      <button
                        type="button"
                        class="secondary"
                        disabled={asking}
                        aria-busy={asking}
                        onClick={() => redeliver(delivery)}
                        data-testid={`redeliver-${delivery.id}`}
                      >
                        {asking ? "Sending…" : "Redeliver"}
                        <span class="visually-hidden"> {delivery.eventType}</span>
                      </button>
                      <div role="status" data-testid={`redeliver-outcome-${delivery.id}`}>
                        {outcomeOf(delivery)}
                      </div>
                      {redelivery?.state === "refused" && <ErrorNote error={redelivery.error} />}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {deliveries.more && (
        <button type="button" class="secondary" onClick={deliveries.loadMore} disabled={deliveries.loading}>
          {deliveries.loading ? "Loading…" : "Show older"}
        </button>
      )}
    </section>
  );
}
