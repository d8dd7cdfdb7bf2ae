/** What the console server tells the page at /config.json. */
export interface ConsoleConfig {
  services: Record<"handles" | "ledger" | "transfers" | "notifications" | "governance", string>;
  signIn: { kind: "development"; people: Array<{ subject: string; name: string; role: "user" | "operator" }> } | { kind: "token" };
}

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`the console server answered ${response.status} for its settings`);
  return (await response.json()) as ConsoleConfig;
}
