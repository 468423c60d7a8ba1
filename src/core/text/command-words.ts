/**
 * Platform words in study texts. A study author writes `{{command:withdraw}}`
 * where a command belongs; each adapter writes it the way its platform types
 * it ("/withdraw" on Telegram and in the terminal, "/chorus withdraw" in Slack).
 */
import { COMMANDS, type CommandName, isCommandName } from "../flow/commands.js";

const COMMAND_WORD = /\{\{\s*command:\s*([^{}\s]*)\s*\}\}/g;

/** Names in `{{command:…}}` placeholders that are not commands, in order of appearance. */
export function unknownCommandWords(text: string): string[] {
  return [...text.matchAll(COMMAND_WORD)].map((match) => match[1] ?? "").filter((name) => !isCommandName(name));
}

/** The message a study validation gives for an unknown name. */
export function unknownCommandMessage(name: string): string {
  return `unknown command "${name}" in {{command:${name}}} (known: ${COMMANDS.join(", ")})`;
}

/** Replaces every `{{command:name}}` by `write(name)`; validated studies hold no unknown names. */
export function writeCommandWords(text: string, write: (name: CommandName) => string): string {
  if (!text.includes("{{")) return text;
  return text.replace(COMMAND_WORD, (whole, name: string) => (isCommandName(name) ? write(name) : whole));
}
