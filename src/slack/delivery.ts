import type { CardPrompt } from "../core/flow/prompts.js";
import { type Block, context } from "./blocks.js";
import { type CardView, cardSummary, renderCard } from "./card.js";
import { cardIdOf, stepOfAction } from "./ids.js";
import { type Rendered, type SlackMessage, toMessages } from "./render.js";
import { type SayText, slackKey } from "./text.js";

/**
 * How one engine answer reaches a participant's DM. The rules:
 * a press on the live card edits that card in place, whatever it brings
 * (the next step, the saved scenario's summary and the next card): one
 * chat.update per click. Typed input (a reason, a command, a file) sits
 * below the card, so the card is posted anew under it and the old one
 * shrinks to its one-line summary. At most one message offers buttons.
 */

/** Where the input came from. */
export type Origin =
  /** A button on a message: its ts and blocks (as the client showed them) and the button's label. */
  | { kind: "press"; ts: string; blocks: readonly unknown[]; label: string }
  /** Typed in the DM, a slash command, App Home, a recruitment button. */
  | { kind: "typed" }
  /** A modal's submission; `messageTs` is the message it was opened from. */
  | { kind: "form"; messageTs?: string };

/** The app's newest message in the DM that still offers buttons. */
export interface LiveMessage {
  /** Whose it is: a new participant (after a withdrawal) starts with no live message. */
  participantId: string;
  ts: string;
  blocks: Block[];
  /** For a card: what re-rendering it (another part) and closing it need. */
  card?: LiveCard;
}

export interface LiveCard extends CardView {
  locale: string;
  /** The line that stands for the card once it is no longer live. */
  summary: string;
}

/** The Web API writes a delivery makes (rate-limit retries are the caller's). */
export interface DmWrites {
  post(message: SlackMessage): Promise<string>;
  update(ts: string, message: SlackMessage): Promise<void>;
  ephemeral(text: string): Promise<void>;
}

export interface DeliveryContext {
  writes: DmWrites;
  say: SayText;
  locale: string;
  participantId: string | undefined;
  live: LiveMessage | undefined;
  setLive(message: LiveMessage | undefined): void;
  /** Messages this delivery or an earlier one took the buttons off (never touched again). */
  isRetired(ts: string): boolean;
  markRetired(ts: string): void;
}

export async function deliverRendered(ctx: DeliveryContext, rendered: Rendered, origin: Origin): Promise<void> {
  if (ctx.participantId === undefined) return answerOutsider(ctx, rendered, origin);
  if (origin.kind === "press") return afterPress(ctx, rendered, origin);
  // A card form answered while its card is still the newest message: the card turns into the next
  // one in place, as Done on it would, so Send costs one write.
  const live = ctx.live;
  if (origin.kind === "form" && live?.card && rendered.closed.some((c) => c.cardId === live.card?.card.cardId)) {
    return editInPlace(ctx, live, rendered);
  }
  return afterTyping(ctx, rendered, origin);
}

function hasContent(rendered: Rendered): boolean {
  return rendered.closed.length > 0 || rendered.body.length > 0 || rendered.card !== undefined;
}

/** Someone who is not (or no longer) a participant: the engine's answer, and no buttons left to press. */
async function answerOutsider(ctx: DeliveryContext, rendered: Rendered, origin: Origin): Promise<void> {
  ctx.setLive(undefined);
  if (origin.kind === "press" && !ctx.isRetired(origin.ts) && hasButtons(origin.blocks)) {
    const blocks = closeActions(origin.blocks);
    await ctx.writes.update(origin.ts, { text: textOf(blocks), blocks });
    ctx.markRetired(origin.ts);
  }
  for (const message of toMessages([...rendered.notices.flatMap((notice) => context(notice)), ...rendered.body])) {
    await ctx.writes.post(message);
  }
}

async function afterPress(
  ctx: DeliveryContext,
  rendered: Rendered,
  origin: Extract<Origin, { kind: "press" }>,
): Promise<void> {
  for (const notice of rendered.notices) await ctx.writes.ephemeral(notice);
  if (!hasContent(rendered)) return;
  const live = ctx.live;
  const retired = ctx.isRetired(origin.ts);
  if (live?.ts === origin.ts || (!live && !retired)) {
    // The live message itself (or, with nothing remembered, the message pressed).
    const pressed = live?.ts === origin.ts ? live : adopt(ctx, origin);
    if (pressed.card || cardIdOf(origin.blocks)) return editInPlace(ctx, pressed, rendered);
    return afterQuestion(ctx, pressed, rendered, origin.label);
  }
  if (!retired && hasButtons(origin.blocks)) {
    // A message not known as live (a broadcast's start button): its buttons give way to the choice made
    // (or just go, when the press was refused).
    const line = rendered.notices.length === 0 ? ctx.say(slackKey("chosen", { choice: origin.label })) : undefined;
    const blocks = closeActions(origin.blocks, line);
    await ctx.writes.update(origin.ts, { text: textOf(blocks), blocks });
    ctx.markRetired(origin.ts);
  }
  // An old message was pressed: the answer goes to the live card when it is about it, else below.
  const cardId = live?.card?.card.cardId;
  if (live && cardId && (rendered.card?.cardId === cardId || rendered.closed.some((c) => c.cardId === cardId))) {
    return editInPlace(ctx, live, rendered);
  }
  if (live && sameAsLive(live, rendered, ctx.say)) return;
  await postBelow(ctx, rendered, []);
}

/** A message pressed that this process has no memory of (e.g. after a restart): it becomes the live one. */
function adopt(ctx: DeliveryContext, origin: Extract<Origin, { kind: "press" }>): LiveMessage {
  return { participantId: ctx.participantId ?? "", ts: origin.ts, blocks: origin.blocks as Block[] };
}

/** Whether the answer shows exactly what the live message shows (a re-asked question): nothing to send. */
function sameAsLive(live: LiveMessage, rendered: Rendered, say: SayText): boolean {
  if (rendered.closed.length > 0) return false;
  const shown = rendered.card
    ? live.card && rendered.body.length === 0
      ? renderCard(nextView(live.card, rendered.card, live.card.head), say).messages
      : undefined
    : toMessages(rendered.body);
  return shown?.length === 1 && sameBlocks(shown[0]?.blocks ?? [], live.blocks);
}

function sameBlocks(a: readonly unknown[], b: readonly unknown[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The view of `card` replacing `previous`: the same part of the text stays shown while the same response is open. */
function nextView(previous: CardView | undefined, card: CardPrompt, head: Block[]): CardView {
  const same =
    previous?.card.cardId === card.cardId && previous.card.open === card.open && previous.card.layout === card.layout;
  return { card, head, page: same ? previous.page : 0 };
}

/**
 * Everything the press brought, in the pressed card's message: one
 * chat.update. The next scenario's card replaces a saved one there, headed
 * by the saved card's summary and "Saved. 1 of 4 done.".
 */
async function editInPlace(ctx: DeliveryContext, pressed: LiveMessage, rendered: Rendered): Promise<void> {
  const sameCard = pressed.card !== undefined && rendered.card?.cardId === pressed.card.card.cardId;
  const head = [
    ...(sameCard && pressed.card ? pressed.card.head : []),
    ...rendered.closed.flatMap((closed) => context(closed.summary)),
    ...rendered.body,
  ];
  const shown = show(ctx, rendered.card, head, sameCard ? pressed.card : undefined);
  const [first, ...rest] = shown.messages;
  if (!first) return;
  if (rest.length > 0 || !sameBlocks(first.blocks, pressed.blocks)) await ctx.writes.update(pressed.ts, first);
  let ts = pressed.ts;
  for (const message of rest) ts = await ctx.writes.post(message);
  ctx.setLive(shown.live(ts));
}

/** A live question was answered by its button: the buttons give way to the choice made, the next prompts below. */
async function afterQuestion(ctx: DeliveryContext, pressed: LiveMessage, rendered: Rendered, label: string) {
  if (sameAsLive(pressed, rendered, ctx.say)) return;
  const blocks = closeActions(pressed.blocks, ctx.say(slackKey("chosen", { choice: label })));
  await ctx.writes.update(pressed.ts, { text: textOf(blocks), blocks });
  ctx.markRetired(pressed.ts);
  ctx.setLive(undefined);
  await postBelow(ctx, rendered, []);
}

/**
 * Typed input, a command, a form: closed cards shrink to their summary, the
 * answer (notices in front) is posted below what the participant sent, and
 * the previous live message loses its buttons.
 */
async function afterTyping(ctx: DeliveryContext, rendered: Rendered, origin: Origin): Promise<void> {
  for (const closed of rendered.closed) {
    const live = ctx.live;
    if (live?.card?.card.cardId === closed.cardId) {
      await ctx.writes.update(live.ts, cardSummary(live.card.head, closed.summary));
      ctx.markRetired(live.ts);
      ctx.setLive(undefined);
    } else if (origin.kind === "form" && origin.messageTs && !ctx.isRetired(origin.messageTs)) {
      await ctx.writes.update(origin.messageTs, cardSummary([], closed.summary));
      ctx.markRetired(origin.messageTs);
    }
  }
  if (rendered.body.length === 0 && !rendered.card) {
    for (const notice of rendered.notices) await ctx.writes.ephemeral(notice);
    return;
  }
  await postBelow(
    ctx,
    rendered,
    rendered.notices.flatMap((notice) => context(notice)),
  );
}

/** Posts the answer as new messages and retires the previous live message, if any. */
async function postBelow(ctx: DeliveryContext, rendered: Rendered, before: Block[]): Promise<void> {
  const previous = ctx.live;
  const shown = show(ctx, rendered.card, [...before, ...rendered.body], previous?.card);
  let ts: string | undefined;
  for (const message of shown.messages) ts = await ctx.writes.post(message);
  if (previous) await retire(ctx, previous, rendered.card?.step ?? stepOfBlocks(rendered.body));
  ctx.setLive(ts === undefined ? undefined : shown.live(ts));
}

/** The previous live message, once something newer offers the buttons: a card shrinks to its summary. */
async function retire(ctx: DeliveryContext, previous: LiveMessage, nextStep: number | undefined): Promise<void> {
  if (ctx.isRetired(previous.ts)) return;
  if (previous.card) {
    await ctx.writes.update(previous.ts, cardSummary(previous.card.head, previous.card.summary));
  } else {
    // Answered by typing (the step moved on), or asked again below (a command's answer came first).
    const answered = nextStep !== undefined && nextStep !== stepOfBlocks(previous.blocks);
    const line = answered
      ? ctx.say(slackKey("chosen", { choice: ctx.say(slackKey("answer_sent")) }))
      : ctx.say(slackKey("moved_below"));
    const blocks = closeActions(previous.blocks, line);
    await ctx.writes.update(previous.ts, { text: textOf(blocks), blocks });
  }
  ctx.markRetired(previous.ts);
}

/** The messages showing `card` (or just `head`) and the live message they leave once sent. */
function show(ctx: DeliveryContext, card: CardPrompt | undefined, head: Block[], previous: CardView | undefined) {
  if (!card) {
    const messages = toMessages(head);
    const last = messages.at(-1);
    return {
      messages,
      live: (ts: string): LiveMessage | undefined =>
        last && hasButtons(last.blocks)
          ? { participantId: ctx.participantId ?? "", ts, blocks: last.blocks }
          : undefined,
    };
  }
  const view = nextView(previous, card, head);
  const rendered = renderCard(view, ctx.say);
  const last = rendered.messages.at(-1);
  return {
    messages: rendered.messages,
    live: (ts: string): LiveMessage => ({
      participantId: ctx.participantId ?? "",
      ts,
      blocks: last?.blocks ?? [],
      card: { card, head: rendered.head, page: rendered.page, locale: ctx.locale, summary: ctx.say(card.summary) },
    }),
  };
}

function hasButtons(blocks: readonly unknown[]): boolean {
  return blocks.some((block) => (block as { type?: string }).type === "actions");
}

/** The step a message's buttons were made for. */
function stepOfBlocks(blocks: readonly unknown[]): number | undefined {
  for (const block of blocks as Block[]) {
    if (block.type !== "actions") continue;
    for (const element of block.elements) {
      const step = "action_id" in element ? stepOfAction(String(element.action_id)) : undefined;
      if (step !== undefined) return step;
    }
  }
  return undefined;
}

function textOf(blocks: Block[]): string {
  return toMessages(blocks)[0]?.text ?? "Chorus";
}

/** The message as it was, its buttons replaced by one line (added at the end if there were none). */
function closeActions(blocks: readonly unknown[], line?: string): Block[] {
  const kept: Block[] = [];
  let replaced = false;
  for (const block of blocks as Block[]) {
    if (block.type !== "actions") kept.push(block);
    else if (!replaced) {
      if (line) kept.push(...context(line));
      replaced = true;
    }
  }
  return replaced || !line ? kept : [...kept, ...context(line)];
}
