import type { Choice, Text } from "../core/flow/prompts.js";
import { packChoice, packPage } from "./callback-data.js";

export interface Button {
  text: string;
  data: string;
}
export type Keyboard = Button[][];

/** Button width budget of one keyboard row, in characters (a phone screen in portrait). */
const ROW_BUDGET = 32;
const ROW_MAX_BUTTONS = 4;

/**
 * Lays out choices: ids sharing a `prefix:` (e.g. `p:A` … `p:D`) form their
 * own rows; the others fill rows by label width. Packs each choice into
 * callback data (with the card's key on a card); if any id is too long, the
 * returned `choiceIds` keep the id list the index buttons refer to. `offset`
 * is the index of the first choice when several lists share one message.
 */
export function choiceKeyboard(
  choices: readonly Choice[],
  step: number,
  label: (choice: Choice) => string,
  card?: string,
  offset = 0,
): { rows: Keyboard; choiceIds?: string[] } {
  const rows: Keyboard = [];
  let row: Button[] = [];
  let width = 0;
  let group: string | undefined;
  let byIndex = false;
  choices.forEach((choice, index) => {
    const packed = packChoice(step, choice.id, offset + index, card === undefined ? {} : { card });
    byIndex ||= packed.byIndex;
    const button = { text: label(choice), data: packed.data };
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
  return byIndex ? { rows, choiceIds: choices.map((choice) => choice.id) } : { rows };
}

/**
 * Page buttons of a card shown in pages: every page up to 8, else first,
 * neighbours and last; the current one marked. `open` is the choice that
 * opens the paged response, carried so a forgotten page still works.
 */
export function pageRow(current: number, pages: number, card: string, open?: string): Keyboard {
  if (pages <= 1) return [];
  const shown =
    pages <= 8
      ? Array.from({ length: pages }, (_, index) => index)
      : [...new Set([0, current - 1, current, current + 1, pages - 1])].filter((page) => page >= 0 && page < pages);
  return [
    shown.map((page) => ({
      text: page === current ? `· ${page + 1} ·` : String(page + 1),
      data: packPage(page, card, open),
    })),
  ];
}

export type Translate = (text: Text) => string;
