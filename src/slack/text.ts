import type { Text } from "../core/flow/prompts.js";
import type { CommandWriter, I18n } from "../i18n/index.js";

/** Resolves a core Text to the string a Slack participant reads. */
export type SayText = (text: Text) => string;

/**
 * A command as the shared texts write it ("/resume", "send /help"): a slash
 * at the start, after a space, an opening mark or a bidi isolate, then a word.
 */
const COMMAND_MENTION = /(^|[\s([«"'“‘¿¡\u2066-\u2069])\/(?!chorus\b)([a-z_]+)\b/g;

/** In Slack every command is a subcommand of /chorus. */
const slackCommand: CommandWriter = (name) => `/chorus ${name}`;

/**
 * The participant's fixed-locale renderer. The shared texts name commands
 * the Telegram way ("/resume"); in Slack every command is a subcommand of
 * /chorus, so in locale texts (never in study or participant text) "/resume"
 * reads "/chorus resume", in every language at once. Study texts say
 * `{{command:resume}}`, which the renderer writes the Slack way directly.
 */
export function slackSay(i18n: I18n, locale: string): SayText {
  return (text) => {
    const rendered = i18n.render(locale, text, slackCommand);
    return "key" in text ? rendered.replace(COMMAND_MENTION, "$1/chorus $2") : rendered;
  };
}

/** A Slack-only UI string (locales/<lng>/slack.json, under `slack.`). */
export function slackKey(key: string, params?: Record<string, string | number>): Text {
  return params ? { key: `slack.${key}`, params } : { key: `slack.${key}` };
}

/**
 * A message typed in Slack, back to what the participant wrote: Slack escapes
 * `& < >` and wraps links and mentions in angle brackets (`<https://x|x>`,
 * `<@U123>`, `<#C1|general>`, `<!here>`). The text becomes research data, so
 * a mention never keeps a Slack id: see mentionText.
 */
export function decodeSlackText(text: string): string {
  const unwrapped = text.replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (_whole, target: string, label?: string) => {
    return mentionText(target, label) ?? label ?? target.replace(/^mailto:/, "");
  });
  return unwrapped.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/**
 * What a mention reads as in stored text: `<@U0CAROL>` (with or without a
 * name) is "@someone", since neither another person's id nor their name
 * belongs in a rationale; `<#C1|general>` is "#general" (a channel name, or
 * "#channel"); `<!here>`, `<!channel>`, `<!everyone>` stay "@here"…; a user
 * group is its handle ("@design") or "@group"; a date is its fallback text.
 * Undefined for what is not a mention (a link).
 */
function mentionText(target: string, label: string | undefined): string | undefined {
  if (target.startsWith("@")) return "@someone";
  if (target.startsWith("#")) return label ? `#${label}` : "#channel";
  if (!target.startsWith("!")) return undefined;
  const [special = ""] = target.slice(1).split("^");
  if (special === "subteam") return label?.startsWith("@") ? label : "@group";
  if (special === "here" || special === "channel" || special === "everyone") return `@${special}`;
  return label ?? "";
}
