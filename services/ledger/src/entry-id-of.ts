import type { Command } from "./journal-types.js";

/** The entry a command is about: the entry it posts, or the pending entry it resolves. */
export function entryIdOf(command: Command): string {
  return command.kind === "post" ? command.entry.id : command.entryId;
}
