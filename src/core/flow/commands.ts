/** The commands a participant can give on every platform (/help …). A leaf module: study texts name them too. */
export const COMMANDS = ["start", "help", "progress", "language", "pause", "resume", "mydata", "withdraw"] as const;
export type CommandName = (typeof COMMANDS)[number];

export function isCommandName(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}
