import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

function launch(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(root, "scripts", "start.ts")],
      { cwd: root, env: { ...process.env, ...env }, timeout: 20_000 },
      (error, _stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

describe("npm start", () => {
  it("stops at once when a dependency is unreachable, naming it and how to start it", async () => {
    const { code, stderr } = await launch({ NATS_URL: "nats://127.0.0.1:1", REDIS_URL: "redis://127.0.0.1:2" });
    expect(code).toBe(1);
    expect(stderr).toMatch(/NATS JetStream is not reachable at 127\.0\.0\.1:1\. Start it with:\n\s+start-stop-daemon .*nats-server/);
    expect(stderr).toMatch(/Redis is not reachable at 127\.0\.0\.1:2\. Start it with:\n\s+redis-server/);
    expect(stderr).not.toMatch(/PostgreSQL is not reachable/);
  });
});
