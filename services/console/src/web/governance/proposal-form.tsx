import type { Parameter, Proposal } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useEffect, useRef, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { ErrorNote } from "../ui.js";
import { describeRule } from "./describe-rule.js";
import { formatParameterValue } from "./format-parameter-value.js";
import { parameterCurrency } from "./parameter-currency.js";
import { parseParameterValue } from "./parse-parameter-value.js";

interface Draft {
  parameter: string;
  valueText: string;
  rationale: string;
}

/**
 * Propose a new value for a rule. The proposal id is chosen here, once per submitted draft: a
 * double click, or "Propose" again after a lost answer, sends the same id, so the service makes
 * one proposal; changing the draft makes it another proposal, with a new id.
 */
export function ProposalForm(props: { parameters: Parameter[]; onCreated(proposal: Proposal): void; onClose(): void }) {
  const { clients } = useConsole();
  const [draft, setDraft] = useState<Draft>({ parameter: props.parameters[0]?.name ?? "", valueText: "", rationale: "" });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submitting = useRef(false);
  const submitted = useRef<{ draft: string; proposalId: string }>(undefined);
  const first = useRef<HTMLSelectElement>(null);
  useEffect(() => first.current?.focus(), []);

  const parameter = props.parameters.find((candidate) => candidate.name === draft.parameter);
  const currency = parameter && parameterCurrency(parameter);
  const update = (patch: Partial<Draft>) => setDraft((previous) => ({ ...previous, ...patch }));

  const submit = async (event: Event) => {
    event.preventDefault();
    if (submitting.current || parameter === undefined) return;
    setError(undefined);
    let newValue: bigint;
    try {
      newValue = parseParameterValue(draft.valueText, parameter);
    } catch (caught) {
      setError(caught);
      return;
    }
    const rationale = draft.rationale.trim();
    if (rationale === "") {
      setError(new RangeError("Say why: members read the rationale before they vote."));
      return;
    }
    const key = JSON.stringify([parameter.name, newValue.toString(), rationale]);
    if (submitted.current?.draft !== key) submitted.current = { draft: key, proposalId: crypto.randomUUID() };
    const { proposalId } = submitted.current;
    submitting.current = true;
    setBusy(true);
    try {
      const { proposal } = await clients.governance.createProposal({ proposalId, parameter: parameter.name, newValue, rationale });
      submitted.current = undefined;
      setDraft({ parameter: parameter.name, valueText: "", rationale: "" });
      props.onCreated(proposal!);
    } catch (caught) {
      // Kept: "Propose" again sends the same id, so a proposal that did get made is not made twice.
      setError(caught);
    } finally {
      submitting.current = false;
      setBusy(false);
    }
  };

  return (
    <form class="form proposal-form" data-testid="propose-form" onSubmit={submit} aria-labelledby="propose-title">
      <h2 id="propose-title">Propose a change</h2>
      <label for="proposal-parameter">Rule</label>
      <select
        id="proposal-parameter"
        ref={first}
        value={draft.parameter}
        aria-describedby="proposal-parameter-facts"
        onChange={(event) => update({ parameter: event.currentTarget.value, valueText: "" })}
      >
        {props.parameters.map((candidate) => (
          <option key={candidate.name} value={candidate.name}>
            {candidate.name}
          </option>
        ))}
      </select>
      {parameter && (
        <div id="proposal-parameter-facts" class="hint">
          <p>{parameter.description}.</p>
          <p>
            In force now:{" "}
            {parameter.currentValue === undefined ? parameter.currentValueError : formatParameterValue(parameter.currentValue, parameter)}.
            Allowed: {formatParameterValue(parameter.minValue, parameter)} to {formatParameterValue(parameter.maxValue, parameter)}.
          </p>
          <p>
            Raising it passes with {describeRule(parameter.raiseRule)}; lowering it with {describeRule(parameter.lowerRule)}.
          </p>
        </div>
      )}
      <label for="proposal-value">New value ({currency ?? parameter?.unit ?? "—"})</label>
      <input
        id="proposal-value"
        inputMode={currency === undefined ? "numeric" : "decimal"}
        placeholder={currency === undefined ? "1000" : "25000.00"}
        autoComplete="off"
        required
        value={draft.valueText}
        onInput={(event) => update({ valueText: event.currentTarget.value })}
      />
      <label for="proposal-rationale">Why (members read this before they vote)</label>
      <textarea
        id="proposal-rationale"
        rows={3}
        maxLength={2000}
        required
        value={draft.rationale}
        onInput={(event) => update({ rationale: event.currentTarget.value })}
      />
      <ErrorNote error={error} />
      <div class="actions">
        <button type="submit" disabled={busy} aria-busy={busy}>
          {busy ? "Proposing…" : "Propose"}
        </button>
        <button type="button" class="secondary" onClick={props.onClose} disabled={busy}>
          Close
        </button>
      </div>
    </form>
  );
}
