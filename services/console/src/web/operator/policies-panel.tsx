import { LimitPoliciesSection } from "./limit-policies-section.js";
import { LookupPolicySection } from "./lookup-policy-section.js";

/**
 * The rules governance votes on, read from the services that own them. Transfers and handles let
 * the operator role set them too, so the panel offers that and says what it skips.
 */
export function PoliciesPanel() {
  return (
    <section aria-labelledby="operator-policies-title">
      <h2 id="operator-policies-title">Policies</h2>
      <p class="hint">
        A change made here takes effect at once, without a vote, and is recorded against your name by the owning service but not in the
        governance log. Outside an incident, change these through a <a href="#/governance">governance proposal</a> so members decide.
      </p>
      <LimitPoliciesSection />
      <LookupPolicySection />
    </section>
  );
}
