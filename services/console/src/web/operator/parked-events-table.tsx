import { OperationsService, type ParkedEvent } from "@paymesh/gen/paymesh/operations/v1/operations_pb";
import type { ConsoleConfig } from "../console-config.js";
import { useConsole } from "../console-context.js";
import { Empty, ErrorNote, Loading, When } from "../ui.js";
import { usePages } from "../use-pages.js";

/** One service's parked events, newest first, a page at a time; payloads stay in its database. */
export function ParkedEventsTable(props: { service: keyof ConsoleConfig["services"] }) {
  const { clients } = useConsole();
  const parked = usePages<ParkedEvent>(
    async (pageToken, signal) => {
      const page = await clients.of(OperationsService, props.service).listParkedEvents({ pageSize: 25, pageToken }, { signal });
      return { items: page.parkedEvents, nextPageToken: page.nextPageToken };
    },
    [clients, props.service],
  );
  return (
    <>
      <ErrorNote error={parked.error} onRetry={parked.loadMore} />
      {parked.items.length === 0 ? (
        parked.loading ? (
          <Loading what={`${props.service}'s parked events`} />
        ) : (
          parked.error === undefined && <Empty>Nothing parked: every event {props.service}'s consumers received was applied.</Empty>
        )
      ) : (
        <table class="table compact" data-testid={`parked-events-${props.service}`}>
          <caption class="visually-hidden">Events {props.service}'s consumers parked, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Parked</th>
              <th scope="col">Consumer</th>
              <th scope="col">Subject</th>
              <th scope="col">Type</th>
              <th scope="col">Error</th>
              <th scope="col" class="num">
                Deliveries
              </th>
              <th scope="col" class="num">
                Payload
              </th>
            </tr>
          </thead>
          <tbody>
            {parked.items.map((event) => (
              <tr key={event.id} data-testid={`parked-${event.id}`}>
                <td>
                  <When time={event.parkTime} />
                </td>
                <td class="mono">{event.consumer}</td>
                <td>
                  <span class="mono">{event.subject}</span>
                  <span class="op-subline mono">
                    {event.stream} #{event.streamSequence.toString()}
                    {event.eventId && ` · event ${event.eventId}`}
                  </span>
                </td>
                <td class="mono">{event.type || "—"}</td>
                <td class="op-error-text">{event.error}</td>
                <td class="num">{event.deliveries}</td>
                <td class="num">{event.payloadSize.toLocaleString()} bytes</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {parked.more && (
        <button type="button" class="secondary" onClick={parked.loadMore} disabled={parked.loading}>
          {parked.loading ? "Loading…" : "Show more"}
        </button>
      )}
    </>
  );
}
