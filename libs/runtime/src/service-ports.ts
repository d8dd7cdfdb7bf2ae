/** Each service's default port; the launcher, compose.yaml and the services agree on these. */
export const SERVICE_PORTS = {
  handles: 7101,
  ledger: 7102,
  transfers: 7103,
  notifications: 7104,
  governance: 7105,
} as const;

export type ServiceName = keyof typeof SERVICE_PORTS;

/**
 * The web console's port. In development every service lets the console's origin call it
 * (CORS), so `npm start` works in a browser with nothing configured.
 */
export const CONSOLE_PORT = 7100;
