/**
 * Compact callback data for inline buttons. Telegram allows at most 64 bytes,
 * so every button carries only what the adapter needs to rebuild the core
 * Input: the state step the button was made for and the choice, and for a
 * button on a scenario card the card's key (so a press on an old card is
 * told from a press on the live one even after a restart).
 *
 * Layout: one tag character, then the step in base 36 and a ".", then (on a
 * card) the card key in base 36 and a ".", then the payload. Base 36 never
 * contains ".", so the dots end the step and the key whatever the choice holds.
 *
 * | tag | meaning                                      | example          |
 * |-----|----------------------------------------------|------------------|
 * | c   | choice by id on a message                    | `c1f.yes`        |
 * | n   | choice by index (id too long for 64 bytes)   | `n1f.3`          |
 * | k   | choice by id on a scenario card              | `k1f.1x9ab.p:A`  |
 * | m   | choice by index on a scenario card           | `m1f.1x9ab.3`    |
 * | p   | page of a card (adapter-only)                | `p2.1x9ab.read:0:1` |
 *
 * The index forms need the message's choice list, which the adapter keeps in
 * memory (see message-memory.ts); study ids are slugs of at most 64
 * characters, so the id form is what almost every button uses. A page button
 * carries the choice that opens the response it pages (if the card has one),
 * so it still works when the pages were forgotten.
 */

/** Telegram's limit on `callback_data`, in bytes of UTF-8. */
export const CALLBACK_DATA_MAX_BYTES = 64;

export type CallbackAction =
  | { kind: "choice"; step: number; choice: string; card?: string }
  | { kind: "choice_index"; step: number; index: number; card?: string }
  | { kind: "page"; page: number; card: string; open?: string };

/** A button's data would not fit in 64 bytes, even in the index form. */
export class CallbackDataTooLongError extends Error {
  override readonly name = "CallbackDataTooLongError";
  readonly code = "CALLBACK_DATA_TOO_LONG";
  constructor(readonly bytes: number) {
    super(`callback data of ${bytes} bytes exceeds Telegram's ${CALLBACK_DATA_MAX_BYTES}-byte limit`);
  }
}

export function callbackDataBytes(data: string): number {
  return Buffer.byteLength(data, "utf8");
}

function checked(data: string): string {
  const bytes = callbackDataBytes(data);
  if (bytes > CALLBACK_DATA_MAX_BYTES) throw new CallbackDataTooLongError(bytes);
  return data;
}

function base36(value: number, what: string): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`invalid ${what} ${value}`);
  return value.toString(36);
}

/**
 * A short, stable key for a card id (32-bit FNV-1a in base 36): buttons name
 * their card without spending bytes on the id itself.
 */
export function cardKey(cardId: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < cardId.length; index++) {
    hash ^= cardId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

export interface PackedChoice {
  data: string;
  /** True when the id did not fit and the button carries the choice's index instead. */
  byIndex: boolean;
}

/**
 * Packs a choice: by id when it fits in 64 bytes, otherwise by its index in
 * the prompt's choice list (the caller must then remember that list).
 * `card` is the key of the card the button sits on.
 */
export function packChoice(step: number, choice: string, index: number, options: { card?: string } = {}): PackedChoice {
  const card = options.card === undefined ? "" : `${options.card}.`;
  const byId = `${card ? "k" : "c"}${base36(step, "step")}.${card}${choice}`;
  if (callbackDataBytes(byId) <= CALLBACK_DATA_MAX_BYTES) return { data: byId, byIndex: false };
  return {
    data: checked(`${card ? "m" : "n"}${base36(step, "step")}.${card}${base36(index, "index")}`),
    byIndex: true,
  };
}

/**
 * Packs a choice by id only, for senders outside a conversation (broadcast
 * buttons) that cannot register an index list. Throws if it does not fit.
 */
export function encodeChoice(step: number, choice: string): string {
  return checked(`c${base36(step, "step")}.${choice}`);
}

/** A page button of card `card`; `open` is the choice that opens the paged response, if it fits. */
export function packPage(page: number, card: string, open?: string): string {
  const base = `p${base36(page, "page")}.${card}`;
  const withOpen = open === undefined ? base : `${base}.${open}`;
  return callbackDataBytes(withOpen) <= CALLBACK_DATA_MAX_BYTES ? withOpen : checked(base);
}

const BASE36 = /^[0-9a-z]+$/;
/** Step, then the payload (which may hold dots). */
const ON_MESSAGE = /^([0-9a-z]+)\.(.+)$/s;
/** Step, card key, then the payload. */
const ON_CARD = /^([0-9a-z]+)\.([0-9a-z]+)\.(.+)$/s;
/** Page, card key, then optionally the choice that opens the paged response. */
const PAGE = /^([0-9a-z]+)\.([0-9a-z]+)(?:\.(.+))?$/s;

function parseBase36(text: string | undefined): number | undefined {
  if (text === undefined || !BASE36.test(text)) return undefined;
  const value = Number.parseInt(text, 36);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Decodes callback data; undefined for anything this bot did not make (treated as out of date). */
export function unpackCallbackData(data: string): CallbackAction | undefined {
  const tag = data[0];
  const body = data.slice(1);
  if (tag === "p") {
    const [, page, card, open] = PAGE.exec(body) ?? [];
    const number = parseBase36(page);
    if (number === undefined || card === undefined) return undefined;
    return { kind: "page", page: number, card, ...(open !== undefined ? { open } : {}) };
  }
  let step: number | undefined;
  let card: string | undefined;
  let payload: string | undefined;
  if (tag === "c" || tag === "n") {
    const match = ON_MESSAGE.exec(body);
    step = parseBase36(match?.[1]);
    payload = match?.[2];
  } else if (tag === "k" || tag === "m") {
    const match = ON_CARD.exec(body);
    step = parseBase36(match?.[1]);
    card = match?.[2];
    payload = match?.[3];
  }
  if (step === undefined || payload === undefined) return undefined;
  const where = card !== undefined ? { card } : {};
  if (tag === "c" || tag === "k") return { kind: "choice", step, choice: payload, ...where };
  const index = parseBase36(payload);
  return index === undefined ? undefined : { kind: "choice_index", step, index, ...where };
}
