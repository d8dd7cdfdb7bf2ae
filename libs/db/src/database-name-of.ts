/** The database a connection URL points at (its path), or undefined when the URL names none. */
export function databaseNameOf(url: string): string | undefined {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  return name === "" ? undefined : name;
}
