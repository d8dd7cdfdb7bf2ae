import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { ConsoleConfig } from "./console-config.js";
import type { Clients } from "./create-clients.js";
import type { Session } from "./session.js";

export interface ConsoleContextValue {
  config: ConsoleConfig;
  session: Session;
  clients: Clients;
  signOut(): void;
}

export const ConsoleContext = createContext<ConsoleContextValue | undefined>(undefined);

/** The signed-in console: who, and clients that call as them. */
export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (value === undefined) throw new Error("useConsole outside a signed-in console");
  return value;
}
