import type { Input } from "../core/flow/inputs.js";
import type { ChoiceMenu } from "./render.js";

/**
 * A typed line → core Input: "/name" is a command, a number picks that
 * choice of the current menu, anything else is free text (kept byte-exact).
 */
export function decodeTerminalLine(line: string, menu: ChoiceMenu | undefined): Input {
  const command = /^\/([A-Za-z_]+)\s*$/.exec(line.trim());
  if (command?.[1]) return { kind: "command", name: command[1].toLowerCase() };
  const number = /^\s*(\d{1,2})\s*$/.exec(line);
  if (number?.[1] && menu) {
    const choice = menu.choices[Number(number[1]) - 1];
    if (choice) return { kind: "choice", step: menu.step, choice: choice.id };
  }
  return { kind: "text", text: line };
}
