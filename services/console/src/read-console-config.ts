import {
  type AuthSettings,
  CONSOLE_PORT,
  createEnvReader,
  type Env,
  readAuthSettings,
  SERVICE_PORTS,
  type ServiceName,
} from "@paymesh/runtime";

export interface ConsoleConfig {
  nodeEnv: string;
  host: string;
  port: number;
  /**
   * Signs development tokens; undefined under NODE_ENV=production, where the console signs
   * nothing and so holds no secret: a compromised console cannot mint tokens.
   */
  auth: AuthSettings | undefined;
  /** Where a browser reaches each service: `<NAME>_PUBLIC_URL`, default http://127.0.0.1:<its port>. */
  services: Record<ServiceName, string>;
  /** `CONSOLE_STATIC_DIR`: serve this prebuilt console (an image builds it once); unset, build at start. */
  staticDir: string | undefined;
}

/** The console's settings, every problem named at once. */
export function readConsoleConfig(env: Env = process.env): ConsoleConfig {
  const reader = createEnvReader(env);
  const nodeEnv = reader.string("NODE_ENV", "development");
  const production = nodeEnv === "production";
  const auth = production ? undefined : readAuthSettings(reader, nodeEnv);
  const config: ConsoleConfig = {
    nodeEnv,
    host: reader.string("HOST", "127.0.0.1"),
    port: reader.port("PORT", CONSOLE_PORT),
    auth,
    services: Object.fromEntries(
      (Object.keys(SERVICE_PORTS) as ServiceName[]).map((name) => [
        name,
        reader.url(`${name.toUpperCase()}_PUBLIC_URL`, `http://127.0.0.1:${SERVICE_PORTS[name]}`, ["http:", "https:"]),
      ]),
    ) as Record<ServiceName, string>,
    staticDir: reader.string("CONSOLE_STATIC_DIR", "") || undefined,
  };
  reader.finish();
  return config;
}
