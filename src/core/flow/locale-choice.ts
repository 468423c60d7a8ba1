import type { FlowContext } from "./context.js";
import type { Input } from "./inputs.js";

/** A locale from a language button or a typed code or name. */
export function pickLocale(input: Input, ctx: FlowContext): string | undefined {
  if (input.kind === "choice") return ctx.locales.find((locale) => locale === input.choice);
  if (input.kind !== "text") return undefined;
  const typed = input.text.trim().toLocaleLowerCase();
  return ctx.locales.find((locale) => {
    if (locale.toLowerCase() === typed) return true;
    const ownName = new Intl.DisplayNames([locale], { type: "language" }).of(locale)?.toLocaleLowerCase();
    const englishName = new Intl.DisplayNames(["en"], { type: "language" }).of(locale)?.toLowerCase();
    return ownName === typed || englishName === typed;
  });
}
