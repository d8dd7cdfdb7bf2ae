import { customType } from "drizzle-orm/pg-core";

/**
 * Postgres `bytea` for drizzle, which has no built-in column for it. postgres.js sends any
 * Uint8Array as bytea and reads bytea back as a Buffer (itself a Uint8Array), so no conversion is
 * needed either way: event payloads and ciphertexts go in and come out as the same bytes.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType() {
    return "bytea";
  },
});
