import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { GovernanceService } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { HandleService } from "@paymesh/gen/paymesh/handles/v1/handles_pb";
import { LedgerService } from "@paymesh/gen/paymesh/ledger/v1/ledger_pb";
import { NotificationService } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import { TransferService } from "@paymesh/gen/paymesh/transfers/v1/transfers_pb";
import type { ConsoleConfig } from "./console-config.js";

export interface Clients {
  handles: Client<typeof HandleService>;
  ledger: Client<typeof LedgerService>;
  transfers: Client<typeof TransferService>;
  notifications: Client<typeof NotificationService>;
  governance: Client<typeof GovernanceService>;
  /** A client of any service the console knows, for services added later (e.g. operations). */
  of<T extends DescService>(service: T, at: keyof ConsoleConfig["services"]): Client<T>;
}

/**
 * Generated Connect-Web clients, one per service, each calling the service directly (no REST
 * layer): the Connect protocol in binary (int64 amounts stay exact), the bearer token on every call.
 */
export function createClients(services: ConsoleConfig["services"], token: string): Clients {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const transports = new Map<string, ReturnType<typeof createConnectTransport>>();
  const transportOf = (at: keyof ConsoleConfig["services"]) => {
    let transport = transports.get(at);
    if (transport === undefined) {
      transport = createConnectTransport({ baseUrl: services[at], useBinaryFormat: true, interceptors: [auth] });
      transports.set(at, transport);
    }
    return transport;
  };
  const of = <T extends DescService>(service: T, at: keyof ConsoleConfig["services"]) => createClient(service, transportOf(at));
  return {
    handles: of(HandleService, "handles"),
    ledger: of(LedgerService, "ledger"),
    transfers: of(TransferService, "transfers"),
    notifications: of(NotificationService, "notifications"),
    governance: of(GovernanceService, "governance"),
    of,
  };
}
