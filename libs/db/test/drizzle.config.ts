import { defineConfig } from "drizzle-kit";

// Paths are relative to the repository root: run `npx drizzle-kit generate --config libs/db/test/drizzle.config.ts` from there.
export default defineConfig({
  dialect: "postgresql",
  schema: "./libs/db/test/schema.ts",
  out: "./libs/db/test/migrations",
});
