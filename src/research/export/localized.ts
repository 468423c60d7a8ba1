import type { LocalizedText } from "../../core/study/schema.js";

/** A study author's text in `language`, else its first translation. */
export function textIn(text: LocalizedText, language: string): string {
  return typeof text === "string" ? text : (text[language] ?? Object.values(text)[0] ?? "");
}
