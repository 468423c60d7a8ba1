import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Engine } from "../core/engine-types.js";
import { isStoreBusy } from "../core/errors.js";
import type { Input } from "../core/flow/inputs.js";
import type { I18n } from "../i18n/index.js";
import type { Logger } from "../logger.js";
import { decodeTerminalLine } from "./decode.js";
import { type ChoiceMenu, renderForTerminal } from "./render.js";

interface PilotOptions {
  engine: Engine;
  i18n: I18n;
  input: Readable;
  output: Writable;
  /** The console "platform user": the same name resumes the same participant. */
  userId: string;
  /** The terminal's language (from LANG), offered first. */
  suggestedLocale?: string;
  source?: string;
  /** Ends the pilot like the end of the input (SIGINT/SIGTERM in src/main.ts). */
  signal?: AbortSignal;
  /** Where an input the engine could not handle is logged (ids and the error's first line only). */
  logger?: Logger;
}

/**
 * The terminal pilot: the same engine as the chat bots, choices numbered.
 * Works interactively and with piped standard input (one line per answer);
 * resolves when the input ends. An input the engine could not handle is
 * answered with one translated line and the pilot goes on: nothing of it
 * was saved (one transaction), so the participant can simply send it again.
 */
export async function runPilot(options: PilotOptions): Promise<void> {
  const { engine, i18n, output } = options;
  const interactive = Boolean((options.input as Readable & { isTTY?: boolean }).isTTY);
  const ref = { platform: "console" as const, platformUserId: options.userId };
  let menu: ChoiceMenu | undefined;
  /** The card printed in full last: still on the screen above. */
  let shownCard: string | undefined;
  let locale = i18n.fallbackLocale;

  const send = (input: Input) => {
    let result: ReturnType<Engine["handle"]>;
    try {
      result = engine.handle(ref, input);
    } catch (error) {
      const busy = isStoreBusy(error);
      options.logger?.error(
        { err: error instanceof Error ? error.message.split("\n")[0] : String(error) },
        "pilot input failed",
      );
      output.write(`! ${i18n.render(locale, { key: busy ? "errors.busy" : "errors.internal" })}\n\n`);
      return;
    }
    locale = result.locale;
    const rendered = renderForTerminal(result.prompts, i18n, result.locale, shownCard ? { shownCard } : {});
    shownCard = rendered.shownCard;
    if (rendered.menu) menu = rendered.menu;
    output.write(`${rendered.text}\n`);
  };

  send({
    kind: "start",
    ...(options.suggestedLocale ? { suggestedLocale: options.suggestedLocale } : {}),
    ...(options.source ? { source: options.source } : {}),
  });

  if (options.signal?.aborted) return;
  const lines = createInterface({
    input: options.input,
    terminal: interactive,
    crlfDelay: Number.POSITIVE_INFINITY,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // Ctrl-C on a terminal reaches readline as a key, not as a signal: it ends the pilot too.
  lines.on("SIGINT", () => lines.close());
  if (interactive) output.write("> ");
  for await (const line of lines) {
    if (!interactive) output.write(`> ${line}\n`);
    send(decodeTerminalLine(line, menu));
    if (interactive) output.write("> ");
  }
}
