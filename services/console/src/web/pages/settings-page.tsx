import { Page } from "../ui.js";

export function SettingsPage() {
  return <Page title="Settings">{null}</Page>;
}
