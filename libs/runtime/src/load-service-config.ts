import { type Env, loadConfig, type ServiceConfig } from "./load-config.js";
import { SERVICE_PORTS } from "./service-ports.js";
import type { ServiceDefinition } from "./start-service.js";

/**
 * The shared settings exactly as startService reads them for `definition`: its port and its
 * retention defaults, then the environment (default `process.env`). Commands that must check
 * their own settings before they open the database read these first.
 */
export function loadServiceConfig<TSchema extends Record<string, unknown>>(
  definition: ServiceDefinition<TSchema>,
  env: Env = process.env,
): ServiceConfig {
  return loadConfig({ service: definition.name, defaultPort: SERVICE_PORTS[definition.name], env, retention: definition.retention });
}
