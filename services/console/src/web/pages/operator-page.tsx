import { useRef, useState } from "preact/hooks";
import { AccountsPanel } from "../operator/accounts-panel.js";
import { EventHealthPanel } from "../operator/event-health-panel.js";
import { MembersPanel } from "../operator/members-panel.js";
import { ParkedEventsPanel } from "../operator/parked-events-panel.js";
import { PoliciesPanel } from "../operator/policies-panel.js";
import { ReconcilePanel } from "../operator/reconcile-panel.js";
import { Page } from "../ui.js";

const SECTIONS = [
  { id: "accounts", label: "Accounts", panel: AccountsPanel },
  { id: "events", label: "Event health", panel: EventHealthPanel },
  { id: "parked", label: "Parked events", panel: ParkedEventsPanel },
  { id: "policies", label: "Policies", panel: PoliciesPanel },
  { id: "members", label: "Members", panel: MembersPanel },
  { id: "reconcile", label: "Reconcile", panel: ReconcilePanel },
] as const;

/**
 * The operator's view of the platform, one section at a time: only the shown section calls the
 * services, so event health is polled only while an operator is looking at it. The tabs follow
 * the WAI-ARIA tabs pattern (arrow keys, Home and End move between them).
 */
export function OperatorPage() {
  const [selected, setSelected] = useState(0);
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const current = SECTIONS[selected]!;
  const Panel = current.panel;

  const onKeyDown = (event: KeyboardEvent) => {
    const last = SECTIONS.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: selected === last ? 0 : selected + 1,
      ArrowLeft: selected === 0 ? last : selected - 1,
      Home: 0,
      End: last,
    };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    setSelected(next);
    tabs.current[next]?.focus();
  };

  return (
    <Page title="Operator">
      <div class="op-tabs" role="tablist" aria-label="Operator sections" onKeyDown={onKeyDown}>
        {SECTIONS.map((section, index) => (
          <button
            key={section.id}
            type="button"
            role="tab"
            id={`operator-tab-${section.id}`}
            aria-selected={index === selected}
            aria-controls={index === selected ? `operator-panel-${section.id}` : undefined}
            tabIndex={index === selected ? 0 : -1}
            ref={(element) => {
              tabs.current[index] = element;
            }}
            onClick={() => setSelected(index)}
          >
            {section.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`operator-panel-${current.id}`} aria-labelledby={`operator-tab-${current.id}`} class="op-panel">
        <Panel />
      </div>
    </Page>
  );
}
