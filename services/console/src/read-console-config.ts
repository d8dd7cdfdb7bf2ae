import { CONSOLE_PORT, createEnvReader, type Env, loadConfig, SERVICE_PORTS, type ServiceName } from "@paymesh/runtime";

export interface ConsoleConfig {
  nodeEnv: string;
  host: string;
  port: number;
  auth: { secret: string; issuer: string; audience: string };
  /** Where a browser reaches each service: `<NAME>_PUBLIC_URL`, default http://127.0.0.1:<its port>. */
  services: Record<ServiceName, string>;
  /** `CONSOLE_STATIC_DIR`: serve this prebuilt console (an image builds it once); unset, build at start. */
  staticDir: string | undefined;
  logLevel: string;
}

/** The console's settings, from the same environment the services read, every problem named at once. */
export function readConsoleConfig(env: Env = process.env): ConsoleConfig {
  const shared = loadConfig({ service: "console", defaultPort: CONSOLE_PORT, env });
  const reader = createEnvReader(env);
  const services = Object.fromEntries(
    (Object.keys(SERVICE_PORTS) as ServiceName[]).map((name) => [
      name,
      reader.url(`${name.toUpperCase()}_PUBLIC_URL`, `http://127.0.0.1:${SERVICE_PORTS[name]}`, ["http:", "https:"]),
    ]),
  ) as Record<ServiceName, string>;
  const staticDir = reader.string("CONSOLE_STATIC_DIR", "") || undefined;
  reader.finish();
  return {
    nodeEnv: shared.nodeEnv,
    host: shared.host,
    port: shared.port,
    auth: shared.auth,
    services,
    staticDir,
    logLevel: shared.logLevel,
  };
}
