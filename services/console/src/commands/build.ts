// `npm run build -w @paymesh/console [-- <dir>]`: the production console into <dir> (default
// services/console/dist), for CONSOLE_STATIC_DIR; prints what the first page costs.
import { join } from "node:path";
import { buildConsole } from "../build-console.js";

const outDir = process.argv[2] ?? join(import.meta.dirname, "..", "..", "dist");
const { firstPageScript } = await buildConsole({ outDir });
console.log(
  `built ${outDir}\nfirst page JavaScript: ${(firstPageScript.bytes / 1024).toFixed(1)} KiB, ` +
    `${(firstPageScript.gzipBytes / 1024).toFixed(1)} KiB gzipped (budget 250 KiB gzipped)`,
);
