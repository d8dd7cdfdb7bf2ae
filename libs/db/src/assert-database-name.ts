/**
 * Postgres identifiers that need no quoting: a letter or underscore, then letters, digits or
 * underscores, at most 63 bytes (NAMEDATALEN - 1). Anything else is refused rather than quoted,
 * because a database name also travels inside connection URLs and shell commands.
 */
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Throws unless `name` is a plain Postgres identifier (see {@link DATABASE_NAME}). */
export function assertDatabaseName(name: string): void {
  if (!DATABASE_NAME.test(name)) {
    throw new Error(`invalid database name ${JSON.stringify(name)}: use 1-63 letters, digits or underscores, not starting with a digit`);
  }
}
