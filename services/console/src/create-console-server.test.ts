import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTokenVerifier } from "@paymesh/runtime";
import { TEST_AUTH } from "@paymesh/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleServer, createConsoleServer } from "./create-console-server.js";

const services = {
  handles: "http://127.0.0.1:7101",
  ledger: "http://127.0.0.1:7102",
  transfers: "http://127.0.0.1:7103",
  notifications: "http://127.0.0.1:7104",
  governance: "https://governance.example.com",
};

let staticDir: string;
let development: ConsoleServer;
let production: ConsoleServer;

beforeAll(async () => {
  staticDir = await mkdtemp(join(tmpdir(), "console-server-test-"));
  await mkdir(join(staticDir, "assets"));
  await writeFile(join(staticDir, "index.html"), "<!doctype html><title>paymesh</title>");
  await writeFile(join(staticDir, "assets", "app-1234.js"), "console.log(1)");
  development = await createConsoleServer({ staticDir, services, nodeEnv: "development", auth: TEST_AUTH });
  production = await createConsoleServer({ staticDir, services, nodeEnv: "production", auth: TEST_AUTH });
});

afterAll(async () => {
  await development?.close();
  await production?.close();
  await rm(staticDir, { recursive: true, force: true });
});

const signIn = (server: ConsoleServer, body: unknown) =>
  fetch(`${server.url}/dev/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the console server", () => {
  it("signs a development token the services accept, for the demo people only", async () => {
    const response = await signIn(development, { subject: "alice" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string; role: string; subject: string };
    expect(body).toMatchObject({ subject: "alice", role: "user" });
    const verify = createTokenVerifier(TEST_AUTH);
    expect(await verify(body.token)).toEqual({ subject: "alice", role: "user" });

    const operator = (await (await signIn(development, { subject: "ops" })).json()) as { token: string };
    expect((await verify(operator.token)).role).toBe("operator");

    const stranger = await signIn(development, { subject: "mallory" });
    expect(stranger.status).toBe(400);
    expect(await stranger.json()).toEqual({ error: "sign in as one of alice, bob, carol, ops" });
    expect((await fetch(`${development.url}/dev/token`)).status).toBe(405);
    expect((await signIn(development, "x".repeat(2_000))).status).toBe(400);
  });

  it("has no development sign-in under NODE_ENV=production: /dev/token is 404 and the page asks for a token", async () => {
    const response = await signIn(production, { subject: "alice" });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toMatch(/token/);
    const config = (await (await fetch(`${production.url}/config.json`)).json()) as { signIn: unknown; services: unknown };
    expect(config).toEqual({ signIn: { kind: "token" }, services });
    const developmentConfig = (await (await fetch(`${development.url}/config.json`)).json()) as { signIn: { kind: string } };
    expect(developmentConfig.signIn.kind).toBe("development");
  });

  it("serves the built files with a policy that lets the page reach only itself and the services", async () => {
    const index = await fetch(`${production.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toContain(
      "connect-src 'self' http://127.0.0.1:7101 http://127.0.0.1:7102 http://127.0.0.1:7103 http://127.0.0.1:7104 https://governance.example.com",
    );
    expect(index.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const asset = await fetch(`${production.url}/assets/app-1234.js`);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await asset.text()).toBe("console.log(1)");
    expect((await fetch(`${production.url}/missing.js`)).status).toBe(404);
    expect((await fetch(`${production.url}/readyz`)).status).toBe(200);
  });

  it("never serves a file outside the built console", async () => {
    for (const path of ["/..%2f..%2fetc%2fpasswd", "/assets/..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/etc/passwd"]) {
      const response = await fetch(`${production.url}${path}`);
      expect(response.status, path).toBe(404);
    }
  });
});
