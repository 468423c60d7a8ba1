/**
 * Compact callback data for inline buttons. Telegram allows at most 64 bytes,
 * so every button carries only what the adapter needs to rebuild the core
 * Input: the state step the button was made for and the choice.
 *
 * Layout: one tag character, then (for choices) the step in base 36 and a
 * ".", then the payload. Base 36 never contains ".", so the first "." ends
 * the step whatever the choice id holds.
 *
 * | tag | meaning                                   | example   |
 * |-----|-------------------------------------------|-----------|
 * | c   | choice by id                              | `c1f.p:A` |
 * | v   | choice by id, pressed on a response viewer | `v1g.next`|
 * | n   | choice by index (id too long for 64 bytes) | `n1f.3`   |
 * | w   | choice by index, pressed on a viewer       | `w1f.3`   |
 * | p   | viewer page (adapter-only, no engine call) | `p2`      |
 *
 * The index forms need the message's choice list, which the adapter keeps in
 * memory (see message-memory.ts); study ids are slugs of at most 64
 * characters, so the id form is what almost every button uses.
 */

/** Telegram's limit on `callback_data`, in bytes of UTF-8. */
export const CALLBACK_DATA_MAX_BYTES = 64;

export type CallbackAction =
  | { kind: "choice"; step: number; choice: string; viewer: boolean }
  | { kind: "choice_index"; step: number; index: number; viewer: boolean }
  | { kind: "page"; page: number };

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

function stepPart(step: number): string {
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`invalid step ${step}`);
  return step.toString(36);
}

export interface PackedChoice {
  data: string;
  /** True when the id did not fit and the button carries the choice's index instead. */
  byIndex: boolean;
}

/**
 * Packs a choice: by id when it fits in 64 bytes, otherwise by its index in
 * the prompt's choice list (the caller must then remember that list).
 */
export function packChoice(
  step: number,
  choice: string,
  index: number,
  options: { viewer?: boolean } = {},
): PackedChoice {
  const viewer = options.viewer ?? false;
  const byId = `${viewer ? "v" : "c"}${stepPart(step)}.${choice}`;
  if (callbackDataBytes(byId) <= CALLBACK_DATA_MAX_BYTES) return { data: byId, byIndex: false };
  return { data: checked(`${viewer ? "w" : "n"}${stepPart(step)}.${index.toString(36)}`), byIndex: true };
}

/**
 * Packs a choice by id only, for senders outside a conversation (broadcast
 * buttons) that cannot register an index list. Throws if it does not fit.
 */
export function encodeChoice(step: number, choice: string): string {
  return checked(`c${stepPart(step)}.${choice}`);
}

export function packPage(page: number): string {
  if (!Number.isSafeInteger(page) || page < 0) throw new RangeError(`invalid page ${page}`);
  return checked(`p${page.toString(36)}`);
}

const BASE36 = /^[0-9a-z]+$/;

function parseBase36(text: string): number | undefined {
  if (!BASE36.test(text)) return undefined;
  const value = Number.parseInt(text, 36);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Decodes callback data; undefined for anything this bot did not make (treated as out of date). */
export function unpackCallbackData(data: string): CallbackAction | undefined {
  const tag = data[0];
  if (tag === "p") {
    const page = parseBase36(data.slice(1));
    return page === undefined ? undefined : { kind: "page", page };
  }
  if (tag !== "c" && tag !== "v" && tag !== "n" && tag !== "w") return undefined;
  const dot = data.indexOf(".");
  if (dot < 2) return undefined;
  const step = parseBase36(data.slice(1, dot));
  const payload = data.slice(dot + 1);
  if (step === undefined || payload === "") return undefined;
  const viewer = tag === "v" || tag === "w";
  if (tag === "c" || tag === "v") return { kind: "choice", step, choice: payload, viewer };
  const index = parseBase36(payload);
  return index === undefined ? undefined : { kind: "choice_index", step, index, viewer };
}
