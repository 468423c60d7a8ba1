import type { Choice, Prompt, Text } from "../core/flow/prompts.js";
import type { I18n } from "../i18n/index.js";
import { packChoice, packPage } from "./callback-data.js";
import type { MessageMemo, ViewerPage } from "./message-memory.js";
import { splitText } from "./split-text.js";

/** Telegram's limit on a message's text. */
export const MESSAGE_MAX_CHARS = 4096;
/** Telegram's limit on the text of a callback-query answer. */
export const CALLBACK_ANSWER_MAX_CHARS = 200;

export interface Button {
  text: string;
  data: string;
}
export type Keyboard = Button[][];

export type ReplyMarkup = { kind: "inline"; rows: Keyboard } | { kind: "force_reply" };

export interface OutgoingMessage {
  /** Plain text: no parse mode, so AI and participant text never needs escaping. */
  text: string;
  markup?: ReplyMarkup;
  /** What to remember about this message for its buttons (see message-memory.ts). */
  memo?: MessageMemo;
  /** Edit this message in place (the response viewer) instead of sending a new one. */
  editMessageId?: number;
}

export interface RenderPlan {
  /** For a button press: the text of its answerCallbackQuery ("" = answer without text). */
  callbackAnswer?: string;
  messages: OutgoingMessage[];
}

export interface RenderOptions {
  /** Renders a core Text (the bot passes a cached i18n.render, see text-cache.ts). */
  i18n: Pick<I18n, "render">;
  locale: string;
  /** The update was a button press: short notices become the callback answer. */
  callback: boolean;
  /** The press came from a response viewer: a response prompt replaces that message. */
  viewerMessageId?: number;
  /** For tests: the message length limit. */
  maxChars?: number;
}

/**
 * Core prompts → what to send to Telegram. Pure: the executor (deliver.ts)
 * performs the plan.
 *
 * - Messages and notices in front of a question are merged into the
 *   question's message, so a step is one message, not a burst.
 * - The scenario is its own message (headed by any remark in front of it,
 *   e.g. "Saved. 1 of 4 done."); the response viewer is one message edited
 *   in place when the press came from it.
 * - Text over the limit is split (messages) or paged (the viewer), never cut.
 * - ask_text without choices gets force_reply; with choices, the buttons
 *   (Telegram allows one reply markup per message) and typing still works.
 */
export function renderPrompts(prompts: readonly Prompt[], options: RenderOptions): RenderPlan {
  const limit = options.maxChars ?? MESSAGE_MAX_CHARS;
  const t = (text: Text) => options.i18n.render(options.locale, text);
  const messages: OutgoingMessage[] = [];
  const pending: string[] = [];
  const notices: string[] = [];
  let scenarioSent = false;

  const flush = (markup?: ReplyMarkup, memo?: MessageMemo) => {
    if (pending.length === 0 && !markup) return;
    const chunks = splitText(pending.join("\n\n"), limit);
    pending.length = 0;
    chunks.forEach((chunk, index) => {
      const last = index === chunks.length - 1;
      messages.push({ text: chunk, ...(last && markup ? { markup } : {}), ...(last && memo ? { memo } : {}) });
    });
  };

  for (const prompt of prompts) {
    switch (prompt.kind) {
      case "message":
        pending.push(t(prompt.text));
        break;
      case "notice": {
        const text = t(prompt.text);
        const joined = [...notices, text].join(" ");
        if (options.callback && joined.length <= CALLBACK_ANSWER_MAX_CHARS) notices.push(text);
        else pending.push(text);
        break;
      }
      case "question": {
        pending.push(t(prompt.text));
        const { rows, memo } = choiceKeyboard(prompt.choices, prompt.step, false, t);
        flush({ kind: "inline", rows }, memo);
        break;
      }
      case "ask_text": {
        pending.push(t(prompt.text));
        if (prompt.choices.length === 0) {
          flush({ kind: "force_reply" });
        } else {
          const { rows, memo } = choiceKeyboard(prompt.choices, prompt.step, false, t);
          flush({ kind: "inline", rows }, memo);
        }
        break;
      }
      case "scenario": {
        // A remark in front ("Saved. 1 of 4 done.") heads the scenario's message rather than coming alone.
        pending.push(t(prompt.title));
        for (const message of prompt.messages) {
          pending.push(`[${t({ key: `task.role_${message.role}` })}]\n${message.content}`);
        }
        flush();
        scenarioSent = true;
        break;
      }
      case "response": {
        flush();
        const edit = scenarioSent ? undefined : options.viewerMessageId;
        messages.push(viewerMessage(prompt, t, limit, edit));
        break;
      }
    }
  }
  flush();
  return {
    ...(options.callback ? { callbackAnswer: notices.join(" ") } : {}),
    messages,
  };
}

type ResponsePrompt = Extract<Prompt, { kind: "response" }>;

/** The response viewer: header, the response (paged if needed), page buttons, then ◀ ▶ / Rank. */
function viewerMessage(
  prompt: ResponsePrompt,
  t: (text: Text) => string,
  limit: number,
  edit?: number,
): OutgoingMessage {
  const header = t({
    key: "viewer.header",
    params: { label: prompt.displayLabel, index: prompt.index, total: prompt.total },
  });
  const pageLabel = (page: number, pages: number) => t({ key: "viewer.page", params: { page, pages } });
  // Room for the longest header a page can have ("… · page 999/999") and the blank line.
  const bodyLimit = limit - `${header} · ${pageLabel(999, 999)}\n\n`.length;
  const bodies = splitText(prompt.text, bodyLimit);
  const { rows, memo } = choiceKeyboard(prompt.choices, prompt.step, true, t);
  const pages: ViewerPage[] = bodies.map((body, index) => ({
    text: bodies.length > 1 ? `${header} · ${pageLabel(index + 1, bodies.length)}\n\n${body}` : `${header}\n\n${body}`,
    keyboard: [...pageRow(index, bodies.length), ...rows],
  }));
  const first = pages[0] as ViewerPage;
  const viewerMemo: MessageMemo = { ...memo, ...(pages.length > 1 ? { pages } : {}) };
  return {
    text: first.text,
    markup: { kind: "inline", rows: first.keyboard },
    memo: viewerMemo,
    ...(edit !== undefined ? { editMessageId: edit } : {}),
  };
}

/** Page buttons of a paged response: every page up to 8, else first, neighbours and last. */
export function pageRow(current: number, pages: number): Keyboard {
  if (pages <= 1) return [];
  const shown =
    pages <= 8
      ? Array.from({ length: pages }, (_, index) => index)
      : [...new Set([0, current - 1, current, current + 1, pages - 1])].filter((page) => page >= 0 && page < pages);
  return [
    shown.map((page) => ({ text: page === current ? `· ${page + 1} ·` : String(page + 1), data: packPage(page) })),
  ];
}

/** Button width budget of one keyboard row, in characters (a phone screen in portrait). */
const ROW_BUDGET = 32;
const ROW_MAX_BUTTONS = 4;

/**
 * Lays out choices: ids sharing a `prefix:` (e.g. `p:A` … `p:D`) form their
 * own rows; the others fill rows by label width. Packs each choice into
 * callback data; if any id is too long, the memo keeps the id list.
 */
export function choiceKeyboard(
  choices: readonly Choice[],
  step: number,
  viewer: boolean,
  t: (text: Text) => string,
): { rows: Keyboard; memo?: MessageMemo } {
  const rows: Keyboard = [];
  let row: Button[] = [];
  let width = 0;
  let group: string | undefined;
  let byIndex = false;
  choices.forEach((choice, index) => {
    const packed = packChoice(step, choice.id, index, { viewer });
    byIndex ||= packed.byIndex;
    const button = { text: t(choice.label), data: packed.data };
    const choiceGroup = /^([^:]+):/.exec(choice.id)?.[1];
    const buttonWidth = Math.max(button.text.length, 3) + 4;
    const full = row.length >= ROW_MAX_BUTTONS || width + buttonWidth > ROW_BUDGET;
    if (row.length > 0 && (full || choiceGroup !== group)) {
      rows.push(row);
      row = [];
      width = 0;
    }
    row.push(button);
    width += buttonWidth;
    group = choiceGroup;
  });
  if (row.length > 0) rows.push(row);
  return byIndex ? { rows, memo: { choiceIds: choices.map((choice) => choice.id) } } : { rows };
}
