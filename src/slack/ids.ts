/**
 * Action ids, block ids and callback ids the Slack adapter puts on its
 * surfaces, and how a button packs the state step it was made for.
 * Slack caps action_id and block_id at 255 characters and a button value at
 * 2,000; choice ids are short (see core Choice), so packing always fits, and
 * `packChoice` checks anyway rather than sending something Slack would refuse.
 */

/** A survey choice: `chorus.choice:<step>:<choiceId>`, matched by CHOICE_ACTION. */
const CHOICE_PREFIX = "chorus.choice:";
export const CHOICE_ACTION = /^chorus\.choice:/;
/** "Write your answer" on an ask_text prompt: opens the answer modal. */
const WRITE_PREFIX = "chorus.write:";
export const WRITE_ACTION = /^chorus\.write:/;
/** App Home's Start / Continue button. */
export const HOME_START_ACTION = "chorus.home_start";
/**
 * The "Take part" button of a recruitment post in a channel (`chorus recruit post`):
 * its value is the recruitment source.
 */
export const TAKE_PART_ACTION = "chorus.take_part";
/** The answer modal's callback id, and its input block / element ids. */
export const ANSWER_CALLBACK = "chorus.answer";
export const ANSWER_BLOCK = "answer";
export const ANSWER_ELEMENT = "text";
/**
 * "Answer in one form" on a card: `chorus.form:<step>`, the value the card id.
 * Everything the form needs is in memory (the card as last sent), so
 * views.open goes out before any database work.
 */
const FORM_PREFIX = "chorus.form:";
export const FORM_ACTION = /^chorus\.form:/;
/** A card too long for one message shows its text in parts: `chorus.page:<part>`, the value the card id. */
export const PAGE_PREFIX = "chorus.page:";
export const PAGE_ACTION = /^chorus\.page:/;
/** The card form's callback id. */
export const CARD_FORM_CALLBACK = "chorus.card";
/** The section holding a card's question: `card:<cardId>`, so a pressed message is known as a card. */
const CARD_BLOCK_PREFIX = "card:";
/** The section holding a question's own text (copied into the answer modal). */
export const PROMPT_BLOCK = "prompt";

const MAX_ID = 255;

class PackingError extends Error {
  override readonly name = "PackingError";
}

interface PackedChoice {
  step: number;
  choice: string;
}

/** The action id of a survey choice; unique within a message since one message asks one question. */
export function packChoice(step: number, choice: string): string {
  const packed = `${CHOICE_PREFIX}${step}:${choice}`;
  if (packed.length > MAX_ID) throw new PackingError(`choice id too long for a Slack action id (${packed.length})`);
  return packed;
}

/** Reads a packed choice back; undefined for anything this adapter did not make. */
export function unpackChoice(actionId: string): PackedChoice | undefined {
  if (!actionId.startsWith(CHOICE_PREFIX)) return undefined;
  const rest = actionId.slice(CHOICE_PREFIX.length);
  const colon = rest.indexOf(":");
  if (colon <= 0) return undefined;
  const step = Number(rest.slice(0, colon));
  const choice = rest.slice(colon + 1);
  if (!Number.isSafeInteger(step) || step < 0 || choice === "") return undefined;
  return { step, choice };
}

/**
 * "Write your answer": the action id carries the step, the value what the modal
 * needs (the length limit and the locale), so the modal opens with no database work
 * inside the trigger id's 3 seconds.
 */
interface WriteButton {
  step: number;
  maxChars: number;
  locale: string;
}

export function packWrite(button: WriteButton): { actionId: string; value: string } {
  return { actionId: `${WRITE_PREFIX}${button.step}`, value: `${button.maxChars}:${button.locale}` };
}

export function unpackWrite(actionId: string, value: string | undefined): WriteButton | undefined {
  const step = stepOfAction(actionId);
  if (!actionId.startsWith(WRITE_PREFIX) || step === undefined || !value) return undefined;
  const colon = value.indexOf(":");
  const maxChars = Number(value.slice(0, colon));
  const locale = value.slice(colon + 1);
  if (!Number.isSafeInteger(maxChars) || maxChars < 1 || !locale) {
    return undefined;
  }
  return { step, maxChars, locale };
}

/** The step a survey button (a choice or "Write your answer") was made for. */
export function stepOfAction(actionId: string): number | undefined {
  const choice = unpackChoice(actionId);
  if (choice) return choice.step;
  if (!actionId.startsWith(WRITE_PREFIX)) return undefined;
  const step = Number(actionId.slice(WRITE_PREFIX.length));
  return Number.isSafeInteger(step) && step >= 0 ? step : undefined;
}

export function packForm(step: number, cardId: string): { actionId: string; value: string } {
  return { actionId: `${FORM_PREFIX}${step}`, value: cardId };
}

/** The page a part button shows, or undefined for anything this adapter did not make. */
export function unpackPage(actionId: string): number | undefined {
  if (!actionId.startsWith(PAGE_PREFIX)) return undefined;
  const page = Number(actionId.slice(PAGE_PREFIX.length));
  return Number.isSafeInteger(page) && page >= 0 ? page : undefined;
}

export function cardBlockId(cardId: string): string {
  const id = `${CARD_BLOCK_PREFIX}${cardId}`;
  if (id.length > MAX_ID) throw new PackingError("card id too long for a Slack block id");
  return id;
}

/** The card id a message's blocks carry, if the message is a card. */
export function cardIdOf(blocks: readonly unknown[]): string | undefined {
  for (const block of blocks) {
    const blockId = (block as { block_id?: unknown }).block_id;
    if (typeof blockId === "string" && blockId.startsWith(CARD_BLOCK_PREFIX)) {
      return blockId.slice(CARD_BLOCK_PREFIX.length);
    }
  }
  return undefined;
}

/** What the answer modal remembers between opening and submission (private_metadata, ≤ 3,000 chars). */
export interface AnswerModalMetadata {
  /** The ask_text step the modal was opened for. */
  step: number;
  /** The DM channel the prompts after the answer go to. */
  channel: string;
  /** The message whose "Write your answer" opened the modal: its button goes once answered. */
  messageTs?: string;
}

export function packModalMetadata(metadata: AnswerModalMetadata): string {
  return JSON.stringify({
    s: metadata.step,
    c: metadata.channel,
    ...(metadata.messageTs ? { t: metadata.messageTs } : {}),
  });
}

export function unpackModalMetadata(raw: string | undefined): AnswerModalMetadata | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as { s?: unknown; c?: unknown; t?: unknown };
    if (typeof parsed.s !== "number" || !Number.isSafeInteger(parsed.s) || typeof parsed.c !== "string") {
      return undefined;
    }
    return { step: parsed.s, channel: parsed.c, ...(typeof parsed.t === "string" ? { messageTs: parsed.t } : {}) };
  } catch {
    // Not JSON: a modal this adapter did not open. The caller treats undefined as "not ours".
    return undefined;
  }
}
