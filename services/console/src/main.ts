// The console's process: builds the page (unless CONSOLE_STATIC_DIR holds a built one), then
// serves it on 7100 beside the five services, until SIGINT or SIGTERM.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, isMainModule } from "@paymesh/runtime";
import { buildConsole } from "./build-console.js";
import { createConsoleServer } from "./create-console-server.js";
import { readConsoleConfig } from "./read-console-config.js";

async function main(): Promise<void> {
  const config = readConsoleConfig();
  let builtDir: string | undefined;
  if (config.staticDir === undefined) {
    builtDir = await mkdtemp(join(tmpdir(), "paymesh-console-"));
    const built = await buildConsole({ outDir: builtDir });
    log(`built the console: first page ${kib(built.firstPageScript.gzipBytes)} of JavaScript gzipped`);
  }
  const server = await createConsoleServer({ ...config, staticDir: config.staticDir ?? builtDir! });
  log(`console listening on ${server.url}${config.nodeEnv === "production" ? "" : " (development sign-in on)"}`);
  const stop = async () => {
    await server.close();
    if (builtDir !== undefined) await rm(builtDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
}

/** One JSON line, the way the services log, so `npm start` shows it the same way. */
function log(msg: string): void {
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), service: "console", msg })}\n`);
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

if (isMainModule(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  });
}
