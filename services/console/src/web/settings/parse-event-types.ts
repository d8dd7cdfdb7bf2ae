/**
 * The event types typed into the form (separated by commas, spaces or new lines), each once, in
 * the order typed; none means every type.
 */
export function parseEventTypes(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((type) => type !== ""))];
}
