import type { Env } from "@paymesh/runtime";

/**
 * The names of the environment variables `read` looks at, found by handing it an environment
 * that holds none and records every lookup: what a settings reader reads, to check it against
 * the service's documentation.
 */
export function variablesReadBy(read: (env: Env) => unknown): string[] {
  const names = new Set<string>();
  const env = new Proxy({} as Env, {
    get(_target, name) {
      if (typeof name === "string") names.add(name);
      return undefined;
    },
  });
  read(env);
  return [...names];
}
