import { useCallback, useState } from "preact/hooks";
import type { ConsoleConfig } from "../console-config.js";
import { useConsole } from "../console-context.js";
import { ServiceEventHealth } from "./service-event-health.js";
import { useVisibleInterval } from "./use-visible-interval.js";

/** Each service's event pipeline side by side, kept fresh while the operator watches. */
export function EventHealthPanel() {
  const { config } = useConsole();
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((n) => n + 1), []);
  useVisibleInterval(refresh, 5_000);
  const services = Object.keys(config.services) as Array<keyof ConsoleConfig["services"]>;
  return (
    <section aria-labelledby="operator-events-title">
      <header class="op-section-header">
        <h2 id="operator-events-title">Event health</h2>
        <button type="button" class="secondary" onClick={refresh}>
          Refresh
        </button>
      </header>
      <p class="hint">
        Each service's outbox (events written but not yet on JetStream), the events its consumers parked, and how far each durable consumer
        is behind its stream. Read again every 5 seconds while this page is open.
      </p>
      <ul class="op-health">
        {services.map((service) => (
          <ServiceEventHealth key={service} service={service} generation={generation} />
        ))}
      </ul>
    </section>
  );
}
