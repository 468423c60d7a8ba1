import type { Study } from "../core/study/schema.js";
import type { I18n } from "../i18n/index.js";
import type { OutgoingMessage } from "./senders/types.js";

/** A broadcast's text: a locales/ key rendered per participant, or text given per locale. */
export interface BroadcastContent {
  messageKey: string | null;
  /** Locale → text; used when `messageKey` is null. */
  messages: Record<string, string>;
  withStartButton: boolean;
}

/** Keys a broadcast may use by name (`--key`), with `{{title}}` filled from the study. */
export const BROADCAST_KEYS = ["broadcast.new_scenarios", "broadcast.reminder"] as const;

/** Slack's section limit is the tighter of the two platforms' limits (Telegram: 4,096). */
const MAX_BROADCAST_CHARS = 3000;

/** Given text for a locale: the locale, its primary language, the fallback, else the first given. */
function pickGivenText(messages: Record<string, string>, locale: string, fallbackLocale: string): string {
  const primary = locale.split("-")[0] ?? locale;
  return (messages[locale] ?? messages[primary] ?? messages[fallbackLocale] ?? Object.values(messages)[0] ?? "").trim();
}

/**
 * The message one participant gets, in their locale. `step` is the
 * participant's current state step: present only when they can press the
 * start button now (see the worker), which then carries that step.
 */
export function renderBroadcastMessage(
  i18n: I18n,
  content: BroadcastContent,
  locale: string,
  study: Study | undefined,
  step?: number,
): OutgoingMessage {
  const text = content.messageKey
    ? i18n.render(locale, {
        key: content.messageKey,
        params: { title: study ? { localized: study.title } : { verbatim: "" } },
      })
    : pickGivenText(content.messages, locale, i18n.fallbackLocale);
  if (!content.withStartButton || step === undefined) return { text };
  return { text, startButton: { label: i18n.render(locale, { key: "broadcast.start_button" }), step } };
}

/** Problems with a broadcast's content before anything is written; empty when fine. */
export function contentProblems(i18n: I18n, content: BroadcastContent): string[] {
  if (content.messageKey) {
    if (!(BROADCAST_KEYS as readonly string[]).includes(content.messageKey)) {
      return [`unknown message key "${content.messageKey}"; expected one of ${BROADCAST_KEYS.join(", ")}`];
    }
    return [];
  }
  const entries = Object.entries(content.messages);
  if (entries.length === 0) return ["no message: give a key (--key) or a text (--text LOCALE=TEXT)"];
  const problems: string[] = [];
  for (const [locale, text] of entries) {
    if (!i18n.locales.includes(locale)) {
      problems.push(`text for "${locale}": not a locale of this installation (${i18n.locales.join(", ")})`);
    }
    if (text.trim() === "") problems.push(`text for "${locale}" is empty`);
    if (text.length > MAX_BROADCAST_CHARS) {
      problems.push(`text for "${locale}" has ${text.length} characters; the limit is ${MAX_BROADCAST_CHARS}`);
    }
  }
  return problems;
}
