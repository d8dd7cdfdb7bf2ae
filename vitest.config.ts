import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["libs/**/*.test.ts", "services/**/*.test.ts", "scripts/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    // Every test file owns its own database and stream prefix, so files run in parallel;
    // forks (not threads) keep each file's sockets, timers and signal handlers apart.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
