import { useEffect, useMemo, useState } from "preact/hooks";
import { type ConsoleConfig, loadConsoleConfig } from "./console-config.js";
import { ConsoleContext } from "./console-context.js";
import { createClients } from "./create-clients.js";
import { LiveNotificationsProvider } from "./live-notifications.js";
import { SignInPage } from "./pages/sign-in-page.js";
import { clearSession, readSession, type Session, saveSession } from "./session.js";
import { Shell } from "./shell.js";
import { ErrorNote, Loading } from "./ui.js";

export function App() {
  const [config, setConfig] = useState<ConsoleConfig>();
  const [configError, setConfigError] = useState<unknown>();
  const [session, setSession] = useState<Session | undefined>(() => readSession());
  useEffect(() => {
    loadConsoleConfig().then(setConfig, setConfigError);
  }, []);
  const clients = useMemo(() => (config && session ? createClients(config.services, session.token) : undefined), [config, session]);

  if (configError !== undefined) return <ErrorNote error={configError} onRetry={() => location.reload()} />;
  if (config === undefined) return <Loading what="the console" />;
  if (session === undefined || clients === undefined) {
    return (
      <SignInPage
        config={config}
        onSignedIn={(signedIn) => {
          saveSession(signedIn);
          setSession(signedIn);
        }}
      />
    );
  }
  const signOut = () => {
    clearSession();
    setSession(undefined);
    location.hash = "";
  };
  return (
    <ConsoleContext.Provider value={{ config, session, clients, signOut }}>
      <LiveNotificationsProvider>
        <Shell />
      </LiveNotificationsProvider>
    </ConsoleContext.Provider>
  );
}
