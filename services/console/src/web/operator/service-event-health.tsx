import { OperationsService } from "@paymesh/gen/paymesh/operations/v1/operations_pb";
import { useMemo } from "preact/hooks";
import type { ConsoleConfig } from "../console-config.js";
import { useConsole } from "../console-context.js";
import { ErrorNote, Loading, When } from "../ui.js";
import { useRpc } from "../use-rpc.js";
import { formatDuration } from "./format-duration.js";

/** Short of the refresh interval, so a service that hangs shows as not answering before the next read. */
const TIMEOUT_MS = 4_000;

/**
 * One service's GetEventHealth, asked at that service's own URL: a service that fails shows its
 * error here and leaves the others' figures alone. `generation` changing reads it again.
 */
export function ServiceEventHealth(props: { service: keyof ConsoleConfig["services"]; generation: number }) {
  const { clients } = useConsole();
  const operations = useMemo(() => clients.of(OperationsService, props.service), [clients, props.service]);
  const health = useRpc((signal) => operations.getEventHealth({}, { signal, timeoutMs: TIMEOUT_MS }), [operations, props.generation]);
  const data = health.data;
  const parkedTotal = data?.parked.reduce((sum, count) => sum + count.parkedEvents, 0n) ?? 0n;
  const unknownLag = data?.consumers.filter((consumer) => consumer.lag === undefined).length ?? 0;
  const titleId = `event-health-${props.service}-title`;
  return (
    <li class="panel" data-testid={`event-health-${props.service}`} aria-labelledby={titleId}>
      <header class="op-section-header">
        <h3 id={titleId}>{props.service}</h3>
        {health.error !== undefined ? (
          <span class="tag warn">not answering</span>
        ) : (
          data && (parkedTotal > 0n || unknownLag > 0 ? <span class="tag warn">needs a look</span> : <span class="tag">healthy</span>)
        )}
      </header>
      <ErrorNote error={health.error} onRetry={health.reload} />
      {data === undefined ? (
        health.loading && <Loading what={`${props.service}'s event health`} />
      ) : (
        <>
          <dl class="op-facts">
            <dt>Outbox</dt>
            <dd data-testid="outbox">
              {data.outbox === undefined || data.outbox.pendingEvents === 0n
                ? "empty"
                : `${data.outbox.pendingEvents} waiting to be published${
                    data.outbox.oldestPendingAge ? `, the oldest for ${formatDuration(data.outbox.oldestPendingAge)}` : ""
                  }`}
            </dd>
            <dt>Parked</dt>
            <dd data-testid="parked">
              {data.parked.length === 0 ? "none" : data.parked.map((count) => `${count.consumer}: ${count.parkedEvents}`).join(", ")}
            </dd>
            <dt>Read at</dt>
            <dd>
              <When time={data.readTime} />
            </dd>
          </dl>
          {data.consumers.length === 0 ? (
            <p class="hint">This service runs no durable consumers.</p>
          ) : (
            <table class="table compact">
              <caption class="visually-hidden">{props.service}'s durable consumers and their lag</caption>
              <thead>
                <tr>
                  <th scope="col">Stream</th>
                  <th scope="col">Consumer</th>
                  <th scope="col" class="num">
                    Not yet delivered
                  </th>
                  <th scope="col" class="num">
                    Awaiting ack
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.consumers.map((consumer) => (
                  <tr key={`${consumer.stream}/${consumer.durable}`} data-testid={`consumer-${consumer.durable}`}>
                    <td class="mono">{consumer.stream}</td>
                    <td class="mono">{consumer.durable}</td>
                    {consumer.lag ? (
                      <>
                        <td class="num">{consumer.lag.numPending.toLocaleString()}</td>
                        <td class="num">{consumer.lag.numAckPending.toLocaleString()}</td>
                      </>
                    ) : (
                      <td colSpan={2}>Lag unknown: {consumer.lagUnknownReason || "JetStream did not say why"}</td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </li>
  );
}
