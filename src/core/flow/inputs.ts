/**
 * What a participant did, decoded by an adapter from a platform update.
 * Adapters never interpret these; the engine does.
 */
export const COMMANDS = ["start", "help", "progress", "language", "pause", "resume", "mydata", "withdraw"] as const;
export type CommandName = (typeof COMMANDS)[number];

export type Input =
  /** First contact or /start; `source` is the recruitment source, `suggestedLocale` the platform's language. */
  | { kind: "start"; source?: string; suggestedLocale?: string }
  /** A button press: `step` is the state step the button was made for. */
  | { kind: "choice"; step: number; choice: string }
  /**
   * Free text typed by the participant. `step` is set when the text answers a
   * particular prompt (a Slack modal opened for it), so a late one is stale.
   */
  | { kind: "text"; text: string; step?: number }
  /** A command (/help …); unknown names are answered by the engine, not the adapter. */
  | { kind: "command"; name: string };

export function isCommandName(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}
