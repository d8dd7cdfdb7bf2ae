import { defineConfig } from "vite";

// The console is static files: built once (by the console server at start, or `npm run build`),
// then served by src/create-console-server.ts, which also says where the services are.
export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { target: "es2022", reportCompressedSize: false, chunkSizeWarningLimit: 1024 },
  logLevel: "warn",
});
