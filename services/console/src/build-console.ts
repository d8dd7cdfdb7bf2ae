import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "vite";

export interface BuildConsoleOptions {
  /** Where the files go; emptied first. */
  outDir: string;
}

export interface BuiltConsole {
  outDir: string;
  /**
   * The JavaScript the first page loads before it can show anything (the entry script and the
   * modules it preloads; pages loaded later are not counted), raw and gzipped, in bytes.
   */
  firstPageScript: { bytes: number; gzipBytes: number };
}

/** Builds the console for production with Vite and measures what the first page costs. */
export async function buildConsole(options: BuildConsoleOptions): Promise<BuiltConsole> {
  const root = join(import.meta.dirname, "..");
  await build({ configFile: join(root, "vite.config.ts"), build: { outDir: options.outDir, emptyOutDir: true } });
  const html = await readFile(join(options.outDir, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map(
    (match) => match[1]!,
  );
  let bytes = 0;
  let gzipBytes = 0;
  for (const script of scripts) {
    const content = await readFile(join(options.outDir, script));
    bytes += content.length;
    gzipBytes += gzipSync(content, { level: 9 }).length;
  }
  return { outDir: options.outDir, firstPageScript: { bytes, gzipBytes } };
}
