import { ConfigError } from "./config-error.js";
import { type ServiceDefinition, startService } from "./start-service.js";

/**
 * A service's `main`: starts it and stops it gracefully on SIGTERM or SIGINT. A bad
 * configuration exits with code 2 and the list of problems; any other start failure, 1.
 */
export async function runService<TSchema extends Record<string, unknown>>(definition: ServiceDefinition<TSchema>): Promise<void> {
  const running = await startService(definition).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${definition.name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
  const stop = (signal: string) => {
    running.context.logger.info({ signal }, "shutting down");
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
