import { Page } from "../ui.js";

export function GovernancePage() {
  return <Page title="Governance">{null}</Page>;
}
