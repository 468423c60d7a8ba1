import type { Label } from "../labels.js";
import type { ChatMessage, LocalizedText } from "../study/schema.js";

/**
 * Language-neutral text. Adapters resolve it with the participant's fixed `t`
 * (see src/i18n/render-text.ts): a locale key with parameters, a study
 * author's localized text, or verbatim text (AI responses, the participant's own words).
 */
export type Text =
  | { key: string; params?: Record<string, TextParam> }
  | { localized: LocalizedText }
  | { verbatim: string };
export type TextParam = string | number | Text;

export const key = (k: string, params?: Record<string, TextParam>): Text => (params ? { key: k, params } : { key: k });
export const localized = (text: LocalizedText): Text => ({ localized: text });
export const verbatim = (text: string): Text => ({ verbatim: text });

export interface Choice {
  /** Stable id sent back in Input.choice. Short: adapters pack it into ≤64-byte callback data. */
  id: string;
  label: Text;
}

/**
 * What the engine wants shown. Every prompt that expects an answer carries
 * `step`; an answer made for another step is stale and changes nothing.
 */
export type Prompt =
  /** Information, no answer expected. */
  | { kind: "message"; text: Text }
  /**
   * A short transient remark about the last input (stale button, invalid answer).
   * Telegram shows it as the callback-query answer, Slack as an ephemeral message.
   */
  | { kind: "notice"; text: Text }
  /** A question answered by one of `choices` (and, if `acceptsText`, by typing). */
  | { kind: "question"; step: number; text: Text; choices: Choice[]; acceptsText?: boolean }
  /** The scenario: the prompt messages someone gave an AI. Its own message on chat platforms. */
  | { kind: "scenario"; position: number; total: number; title: Text; messages: ChatMessage[] }
  /**
   * The response viewer: one response at a time. Adapters show it in one message
   * edited in place (`viewerId` identifies that message across steps).
   */
  | {
      kind: "response";
      step: number;
      viewerId: string;
      displayLabel: Label;
      index: number;
      total: number;
      text: string;
      choices: Choice[];
    }
  /** Ask for free text (rationale, a typed profile answer); `maxChars` is enforced by the engine. */
  | {
      kind: "ask_text";
      step: number;
      text: Text;
      purpose: "rationale" | "typed_answer";
      maxChars: number;
      choices: Choice[];
    };

export type PromptKind = Prompt["kind"];
