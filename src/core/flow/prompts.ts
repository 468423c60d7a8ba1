import type { Label } from "../labels.js";
import type { ChatMessage, LocalizedText } from "../study/schema.js";
import type { CardField } from "./inputs.js";
import type { RankingBlockName } from "./state.js";

/**
 * Language-neutral text. Adapters resolve it with the participant's fixed `t`
 * (`I18n.render` in src/i18n/index.ts): a locale key with parameters, a study
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
  | { kind: "notice"; text: Text; field?: CardField }
  /** A question answered by one of `choices` (and, if `acceptsText`, by typing). */
  | { kind: "question"; step: number; text: Text; choices: Choice[]; acceptsText?: boolean }
  /**
   * The scenario card: the prompt, the four responses and the current step's
   * controls, as one surface the participant works on until the assessment is
   * saved. Adapters show it as one message (or modal) edited in place on every
   * press on it; when the participant types, the card moves below their message
   * (the old one shrinks to `summary`). `cardId` names the card across steps.
   */
  | CardPrompt
  /** The card of a saved assessment: shown as its one-line summary, without buttons. */
  | { kind: "card_closed"; cardId: string; summary: Text }
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

/** One candidate response as the participant sees it: display letter and text. */
export interface ShownResponse {
  displayLabel: Label;
  text: string;
}

/** Choice ids that open a response on the card; see `readChoiceId`. */
export const READ_CHOICE_PREFIX = "read:";

/**
 * The id of "open response `displayIndex`" on the card of task `taskIndex`.
 * Such a choice is answered whatever the step (reading changes no answer), so
 * the responses stay in reach while the ranking buttons move on.
 */
export function readChoiceId(taskIndex: number, displayIndex: number): string {
  return `${READ_CHOICE_PREFIX}${taskIndex}:${displayIndex}`;
}

export function parseReadChoice(choice: string): { taskIndex: number; displayIndex: number } | undefined {
  const match = /^read:(\d{1,4}):([0-3])$/.exec(choice);
  if (!match) return undefined;
  return { taskIndex: Number(match[1]), displayIndex: Number(match[2]) };
}

export interface CardPrompt {
  kind: "card";
  /** The step the `choices` (not the read choices) were made for. */
  step: number;
  cardId: string;
  title: Text;
  /** The prompt messages someone gave an AI. */
  messages: ChatMessage[];
  /** The four responses in display order (A–D as shown). */
  responses: ShownResponse[];
  /** "all": every response is on the card; "paged": only `open`, with `readChoices` to open another. */
  layout: "all" | "paged";
  /** Display index of the response open on a paged card. */
  open: number;
  /** Open response A…D (paged layout only); answered at any step of this task. */
  readChoices: Choice[];
  /** What is answered so far on this card, one line each. */
  status: Text[];
  /** What the participant is asked now. */
  question: Text;
  /** The current step's buttons. */
  choices: Choice[];
  /** Typing answers this step: a ranking ("B>A=C>D") or a reason, up to `maxChars` in all. */
  typing?: { purpose: "ranking" | "rationale"; maxChars: number };
  /** One line that stands for this card where it is no longer the live one. */
  summary: Text;
  /** What a whole-card answer (`card_submit`) must give, for adapters that offer the card as one form. */
  form?: CardForm;
}

/** The fields of this card's whole-card answer and the study's rules for them. */
export interface CardForm {
  /** The ranking blocks asked on this card, in order; each needs a ranking and a reason. */
  blocks: RankingBlockName[];
  /** Whether the unacceptable check is asked (with a reason once any response is marked). */
  unacceptable: boolean;
  /** Whether equal ranks (ties) are accepted. */
  allowTies: boolean;
  /** The study's limit for each reason, in characters. */
  maxChars: number;
  /** The prompt ratings asked (each answered by one of its choices; field `rating_<id>`). */
  ratings: { id: string; question: Text; choices: Choice[] }[];
}
