import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Engine } from "../core/engine-types.js";
import type { Input } from "../core/flow/inputs.js";
import type { I18n } from "../i18n/index.js";
import { decodeTerminalLine } from "./decode.js";
import { type ChoiceMenu, renderForTerminal } from "./render.js";

export interface PilotOptions {
  engine: Engine;
  i18n: I18n;
  input: Readable;
  output: Writable;
  /** The console "platform user": the same name resumes the same participant. */
  userId: string;
  /** The terminal's language (from LANG), offered first. */
  suggestedLocale?: string;
  source?: string;
}

/**
 * The terminal pilot: the same engine as the chat bots, choices numbered.
 * Works interactively and with piped standard input (one line per answer);
 * resolves when the input ends.
 */
export async function runPilot(options: PilotOptions): Promise<void> {
  const { engine, i18n, output } = options;
  const interactive = Boolean((options.input as Readable & { isTTY?: boolean }).isTTY);
  const ref = { platform: "console" as const, platformUserId: options.userId };
  let menu: ChoiceMenu | undefined;

  const send = (input: Input) => {
    const result = engine.handle(ref, input);
    const rendered = renderForTerminal(result.prompts, i18n, result.locale);
    if (rendered.menu) menu = rendered.menu;
    output.write(`${rendered.text}\n`);
  };

  send({
    kind: "start",
    ...(options.suggestedLocale ? { suggestedLocale: options.suggestedLocale } : {}),
    ...(options.source ? { source: options.source } : {}),
  });

  const lines = createInterface({ input: options.input, terminal: interactive, crlfDelay: Number.POSITIVE_INFINITY });
  if (interactive) output.write("> ");
  for await (const line of lines) {
    if (!interactive) output.write(`> ${line}\n`);
    send(decodeTerminalLine(line, menu));
    if (interactive) output.write("> ");
  }
}
