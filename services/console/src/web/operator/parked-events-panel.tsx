import { useState } from "preact/hooks";
import type { ConsoleConfig } from "../console-config.js";
import { useConsole } from "../console-context.js";
import { ParkedEventsTable } from "./parked-events-table.js";

/** The events one service's consumers gave up on, with what parking means and where the runbook is. */
export function ParkedEventsPanel() {
  const { config } = useConsole();
  const services = Object.keys(config.services) as Array<keyof ConsoleConfig["services"]>;
  const [service, setService] = useState(services[0]!);
  return (
    <section aria-labelledby="operator-parked-title">
      <h2 id="operator-parked-title">Parked events</h2>
      <p class="hint">
        A consumer parks an event it could not apply in 5 deliveries (or a message that is not an event): it sets it aside and goes on, so
        that event's effect is missing until someone fixes the cause and re-applies it as the runbook says (<code>docs/runbook.md</code>,
        “Parked events”).
      </p>
      <div class="filters">
        <div>
          <label for="parked-service">Service</label>
          <select id="parked-service" value={service} onChange={(event) => setService(event.currentTarget.value as typeof service)}>
            {services.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {/* Keyed by service: another service's list starts empty rather than showing the last one's rows under the new name. */}
      <ParkedEventsTable key={service} service={service} />
    </section>
  );
}
