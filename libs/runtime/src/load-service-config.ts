import { type Env, loadConfig, type ServiceConfig } from "./load-config.js";
import { SERVICE_PORTS } from "./service-ports.js";
import type { ServiceDefinition } from "./start-service.js";

/** The shared settings as a service reads them: its own port and retention defaults, then the environment. */
export function loadServiceConfig<TSchema extends Record<string, unknown>>(
  definition: ServiceDefinition<TSchema>,
  env: Env,
): ServiceConfig {
  return loadConfig({ service: definition.name, defaultPort: SERVICE_PORTS[definition.name], env, retention: definition.retention });
}
