import { z } from "zod";
import type { CardField, CardSubmission } from "../core/flow/inputs.js";
import type { CardPrompt } from "../core/flow/prompts.js";
import type { RankingBlockName } from "../core/flow/state.js";
import { LABELS, type Label } from "../core/labels.js";
import { type Block, context, divider, LIMITS, plain, sections, shorten } from "./blocks.js";
import { CARD_FORM_CALLBACK } from "./ids.js";
import { responseBlocks, scenarioBlocks } from "./render.js";
import type { ModalView } from "./surfaces.js";
import { type SayText, slackKey } from "./text.js";

/**
 * The scenario card as one Slack modal: the prompt and the four responses,
 * then per ranking block a rank (1–4) for each response and the reason, and
 * on long-form tasks the unacceptable check and its reason. The engine
 * validates the whole submission; its problems name fields, shown on the
 * input blocks below.
 */

/** Blocks kept free under Slack's 100 per modal (the form must never be refused). */
const MODAL_BLOCK_MARGIN = 10;
const RANK_ACTION = "rank";
const RATING_ACTION = "option";
const TEXT_ACTION = "text";
const UNACCEPTABLE_BLOCK = "unacceptable";
const UNACCEPTABLE_ACTION = "labels";

/** What the form remembers between opening and submission (private_metadata, ≤ 3,000 characters). */
export interface CardFormMetadata {
  /** The card's step when the form was opened: a later step makes the submission stale. */
  step: number;
  cardId: string;
  /** The DM channel and the card message the form was opened from. */
  channel: string;
  messageTs?: string;
  locale: string;
  /** The ranking blocks the form asks, whether it asks the unacceptable check, the prompt ratings' ids. */
  blocks: RankingBlockName[];
  unacceptable: boolean;
  ratings: string[];
}

const MetadataSchema = z.object({
  s: z.number().int().nonnegative(),
  k: z.string(),
  c: z.string(),
  t: z.string().optional(),
  l: z.string(),
  b: z.array(z.enum(["world", "personal"])).min(1),
  u: z.boolean(),
  r: z.array(z.string()).default([]),
});

export function packFormMetadata(metadata: CardFormMetadata): string {
  return JSON.stringify({
    s: metadata.step,
    k: metadata.cardId,
    c: metadata.channel,
    ...(metadata.messageTs ? { t: metadata.messageTs } : {}),
    l: metadata.locale,
    b: metadata.blocks,
    u: metadata.unacceptable,
    r: metadata.ratings,
  });
}

/** The metadata of a form this adapter opened; undefined for anything else. */
export function unpackFormMetadata(raw: string | undefined): CardFormMetadata | undefined {
  if (!raw) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = MetadataSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { s, k, c, t, l, b, u, r } = parsed.data;
  return {
    step: s,
    cardId: k,
    channel: c,
    ...(t ? { messageTs: t } : {}),
    locale: l,
    blocks: b,
    unacceptable: u,
    ratings: r,
  };
}

/** The block id of the input a field's problem is shown on (a ranking's: its first rank). */
export function fieldBlockId(field: CardField): string {
  // A rating's input carries its field's name (`rating_<id>`), as does the unacceptable reason's.
  if (field === "unacceptable_rationale" || field.startsWith("rating_")) return field;
  const [block, part] = field.split("_") as [RankingBlockName, "ranking" | "rationale"];
  return part === "ranking" ? rankBlockId(block, 0) : `${block}_rationale`;
}

/** Where a problem about no field in particular (out of date, paused) is shown: the form's first input. */
export function firstInputBlockId(metadata: CardFormMetadata): string {
  return rankBlockId(metadata.blocks[0] ?? "world", 0);
}

function rankBlockId(block: RankingBlockName, displayIndex: number): string {
  return `${block}_rank_${displayIndex}`;
}

export function cardFormView(card: CardPrompt, say: SayText, metadata: CardFormMetadata): ModalView {
  return {
    type: "modal",
    callback_id: CARD_FORM_CALLBACK,
    private_metadata: packFormMetadata(metadata),
    title: plain(shorten(say(slackKey("form.title")), LIMITS.modalTitle)),
    submit: plain(shorten(say(slackKey("form.submit")), LIMITS.modalTitle)),
    close: plain(shorten(say(slackKey("modal.cancel")), LIMITS.modalTitle)),
    blocks: formBlocks(card, say),
  };
}

/**
 * Whether the whole card fits one modal (blocks, and study texts that must
 * not be cut: a rating's question is an input label, its points options); if
 * not, the card is answered in the message flow only.
 */
export function cardFormFits(card: CardPrompt, say: SayText): boolean {
  if (!card.form) return false;
  const ratingsFit = card.form.ratings.every(
    (rating) =>
      say(rating.question).length <= LIMITS.inputLabel &&
      rating.choices.length <= LIMITS.options &&
      rating.choices.every((choice) => say(choice.label).length <= LIMITS.optionText),
  );
  return ratingsFit && formBlocks(card, say).length <= LIMITS.modalBlocks - MODAL_BLOCK_MARGIN;
}

function formBlocks(card: CardPrompt, say: SayText): Block[] {
  const form = card.form;
  if (!form) return [];
  const blocks = [...scenarioBlocks(card, say), ...responseBlocks(card.responses, say)];
  const maxLength = Math.min(form.maxChars, LIMITS.inputMaxLength);
  for (const block of form.blocks) {
    blocks.push(divider, ...sections(say({ key: `ranking.ask_${block}` })));
    blocks.push(...context(say(slackKey(form.allowTies ? "form.rank_hint_ties" : "form.rank_hint_strict"))));
    LABELS.forEach((label, index) => {
      blocks.push(rankInput(rankBlockId(block, index), label, say));
    });
    blocks.push(textInput(`${block}_rationale`, say(slackKey(`form.why_${block}`)), maxLength, false));
  }
  if (form.ratings.length > 0) blocks.push(divider);
  for (const rating of form.ratings) {
    blocks.push({
      type: "input",
      block_id: `rating_${rating.id}`,
      label: plain(say(rating.question)),
      element: {
        type: "radio_buttons",
        action_id: RATING_ACTION,
        options: rating.choices.map((choice) => ({ text: plain(say(choice.label)), value: choice.id })),
      },
    });
  }
  if (form.unacceptable) {
    blocks.push(divider, {
      type: "input",
      block_id: UNACCEPTABLE_BLOCK,
      optional: true,
      label: plain(shorten(say(slackKey("form.unacceptable")), LIMITS.inputLabel)),
      element: {
        type: "checkboxes",
        action_id: UNACCEPTABLE_ACTION,
        options: LABELS.map((label) => ({
          text: plain(say({ key: "card.response", params: { label } })),
          value: label,
        })),
      },
    });
    blocks.push(textInput("unacceptable_rationale", say(slackKey("form.unacceptable_why")), maxLength, true));
  }
  return blocks;
}

function rankInput(blockId: string, label: Label, say: SayText): Block {
  return {
    type: "input",
    block_id: blockId,
    label: plain(say({ key: "card.response", params: { label } })),
    element: {
      type: "radio_buttons",
      action_id: RANK_ACTION,
      options: [1, 2, 3, 4].map((rank) => ({
        text: plain(
          say(slackKey(rank === 1 ? "form.rank_best" : rank === 4 ? "form.rank_worst" : "form.rank", { rank })),
        ),
        value: String(rank),
      })),
    },
  };
}

function textInput(blockId: string, label: string, maxLength: number, optional: boolean): Block {
  return {
    type: "input",
    block_id: blockId,
    ...(optional ? { optional: true } : {}),
    label: plain(shorten(label, LIMITS.inputLabel)),
    element: { type: "plain_text_input", action_id: TEXT_ACTION, multiline: true, max_length: maxLength },
  };
}

/** What Slack sends back for one input: a typed value, a chosen option, ticked options. */
interface StateValue {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_options?: { value: string }[];
}
type StateValues = Record<string, Record<string, StateValue>>;

/** The submitted form as the engine's whole-card input, rankings in display letters ("B>A=C>D"). */
export function submissionFromForm(values: StateValues, metadata: CardFormMetadata): CardSubmission {
  const rankings: CardSubmission["rankings"] = {};
  const rationales: CardSubmission["rationales"] = {};
  for (const block of metadata.blocks) {
    const ranks = LABELS.map((_, index) =>
      Number(values[rankBlockId(block, index)]?.[RANK_ACTION]?.selected_option?.value),
    );
    rankings[block] = rankingText(ranks);
    rationales[block] = values[`${block}_rationale`]?.[TEXT_ACTION]?.value ?? "";
  }
  const ratings: Record<string, string> = {};
  for (const id of metadata.ratings) {
    const chosen = values[`rating_${id}`]?.[RATING_ACTION]?.selected_option?.value;
    if (chosen !== undefined) ratings[id] = chosen;
  }
  const submission: CardSubmission = {
    kind: "card_submit",
    step: metadata.step,
    rankings,
    rationales,
    ...(metadata.ratings.length > 0 ? { ratings } : {}),
  };
  if (!metadata.unacceptable) return submission;
  const ticked = values[UNACCEPTABLE_BLOCK]?.[UNACCEPTABLE_ACTION]?.selected_options ?? [];
  return {
    ...submission,
    unacceptable: LABELS.filter((label) => ticked.some((option) => option.value === label)),
    unacceptableRationale: values.unacceptable_rationale?.[TEXT_ACTION]?.value ?? "",
  };
}

/**
 * Ranks per display letter (1 best; equal ranks are a tie) as a ranking
 * text. A letter without a rank is left out, so the engine names what is missing.
 */
export function rankingText(ranks: readonly number[]): string {
  const tiers = new Map<number, Label[]>();
  LABELS.forEach((label, index) => {
    const rank = ranks[index];
    if (rank === undefined || !Number.isInteger(rank) || rank < 1) return;
    tiers.set(rank, [...(tiers.get(rank) ?? []), label]);
  });
  return [...tiers.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, labels]) => labels.join("="))
    .join(">");
}
