import { defineConfig } from "drizzle-kit";

// Paths are relative to the repository root: run `npx drizzle-kit generate --config libs/events/test/drizzle.config.ts` from there.
export default defineConfig({
  dialect: "postgresql",
  schema: "./libs/events/test/schema.ts",
  out: "./libs/events/test/migrations",
});
