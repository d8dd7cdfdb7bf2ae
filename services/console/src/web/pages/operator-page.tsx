import { Page } from "../ui.js";

export function OperatorPage() {
  return <Page title="Operator">{null}</Page>;
}
