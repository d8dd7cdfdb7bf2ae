import { defineConfig } from "drizzle-kit";

// Run from this folder: `npm run generate:migrations -w @paymesh/notifications`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./drizzle",
});
