import type { Study } from "../../src/core/study/schema.js";
import type { Block, StoredMessage } from "./fake-slack-server.js";
import { type FormAnswers, isCard, type SlackTestUser } from "./slack-harness.js";

/**
 * A participant who answers whatever the DM shows, as a sensible person
 * would: English, consent, the correct screening option, the first profile
 * option; on each card they read every response, rank in the order given
 * and write their reasons. Used by the end-to-end tests of a whole study and
 * by the participant-cost benchmark, which counts what each action cost.
 */

/** The survey choices (ids) on a message's buttons. */
export function choicesOn(message: StoredMessage): string[] {
  return message.blocks
    .flatMap((block) => (block.type === "actions" ? (block.elements as Block[]) : []))
    .flatMap((button) => {
      const match = /^chorus\.choice:\d+:(.+)$/.exec(String(button.action_id));
      return match?.[1] ? [match[1]] : [];
    });
}

/** The newest message still offering buttons. */
export function liveMessage(user: SlackTestUser): StoredMessage | undefined {
  return [...user.messages].reverse().find((message) => message.blocks.some((block) => block.type === "actions"));
}

export function cardIdOf(message: StoredMessage | undefined): string | undefined {
  const block = message?.blocks.find((candidate) => String(candidate.block_id ?? "").startsWith("card:"));
  return block ? String(block.block_id).slice("card:".length) : undefined;
}

/** One thing the participant did, for counting: a click (button, radio, tick, submit) or a typed message. */
export type Act = { kind: "click" | "type"; run: () => Promise<unknown> };

/** What the participant presses before the first card. */
function onboardingChoice(message: StoredMessage, study: Study): string | undefined {
  const ids = choicesOn(message);
  for (const preferred of ["en", "yes", "go"]) if (ids.includes(preferred)) return preferred;
  const screening = study.screening.find((question) => question.options.some((option) => ids.includes(option.id)));
  if (screening) return screening.correct;
  return ids.find((id) => id !== "other" && id !== "pnts");
}

/** Presses through language, consent, screening, profile and briefing until the first card is live. */
export async function onboard(user: SlackTestUser, study: Study, act: (act: Act) => Promise<void>): Promise<void> {
  for (let guard = 0; guard < 60; guard++) {
    const live = liveMessage(user);
    if (!live) throw new Error(`${user.id}: nothing to answer before the first card`);
    if (isCard(live)) return;
    const choice = onboardingChoice(live, study);
    if (!choice) throw new Error(`${user.id}: no sensible choice among ${choicesOn(live).join(", ")}`);
    await act({ kind: "click", run: () => user.press(choice) });
  }
  throw new Error(`${user.id}: onboarding did not end`);
}

export interface CardAnswers {
  /** Display letters best first; "=X" ties X with the one before. */
  ranking: string[];
  /** The personal block's ranking (long form), default the same. */
  personalRanking?: string[];
  reasons: { world: string; personal?: string; unacceptable?: string };
  /** Display letters to mark unacceptable (long form). */
  unacceptable?: string[];
}

/**
 * Answers the live card with its buttons and typed reasons until it is
 * saved (the card message shows another card, or none). On a paged card
 * every response is opened first.
 */
export async function answerCardByMessages(
  user: SlackTestUser,
  answers: CardAnswers,
  act: (act: Act) => Promise<void>,
): Promise<void> {
  const start = cardIdOf(liveMessage(user));
  if (!start) throw new Error(`${user.id}: no live card`);
  const read = new Set<string>();
  const marked = new Set<string>();
  let rankings = 0;
  for (let guard = 0; guard < 60; guard++) {
    const live = liveMessage(user);
    if (!live || cardIdOf(live) !== start) return;
    const ids = choicesOn(live);
    // The open response's Read button is highlighted: it is on the card already.
    for (const id of ids) if (isHighlighted(live, id)) read.add(id);
    const unread = ids.find((id) => id.startsWith("read:") && !read.has(id));
    if (unread) {
      read.add(unread);
      await act({ kind: "click", run: () => user.press(unread, live) });
      continue;
    }
    const ranking = (rankings === 0 ? answers.ranking : (answers.personalRanking ?? answers.ranking)) ?? [];
    if (ids.some((id) => id.startsWith("p:"))) {
      const next = ranking.find((entry) => ids.includes(pickId(entry)));
      if (!next) throw new Error(`${user.id}: ranking ${ranking.join(" ")} does not fit ${ids.join(", ")}`);
      await act({ kind: "click", run: () => user.press(pickId(next), live) });
      continue;
    }
    if (ids.includes("ok")) {
      const tieLast = ranking.at(-1)?.startsWith("=") && ids.includes("tie_last");
      if (!tieLast) rankings += 1;
      await act({ kind: "click", run: () => user.press(tieLast ? "tie_last" : "ok", live) });
      continue;
    }
    const rating = ids.find((id) => id.startsWith("rate:"));
    if (rating) {
      await act({ kind: "click", run: () => user.press(rating, live) });
      continue;
    }
    if (ids.some((id) => id.startsWith("u:"))) {
      const toMark = (answers.unacceptable ?? []).find((label) => !marked.has(label));
      if (toMark) marked.add(toMark);
      if (!toMark && marked.size > 0) {
        // Marked: the card asks why at once, so the reason is typed without pressing Done first.
        await act({ kind: "type", run: () => user.type(answers.reasons.unacceptable ?? answers.reasons.world) });
        continue;
      }
      const choice = toMark ? `u:${toMark}` : "none";
      await act({ kind: "click", run: () => user.press(choice, live) });
      continue;
    }
    if (ids.includes("clear")) {
      // A reason is written (Done and Start again are on the card): confirm it.
      await act({ kind: "click", run: () => user.press("done", live) });
      continue;
    }
    const reason =
      marked.size > 0 ? answers.reasons.unacceptable : rankings > 1 ? answers.reasons.personal : answers.reasons.world;
    await act({ kind: "type", run: () => user.type(reason ?? answers.reasons.world) });
  }
  throw new Error(`${user.id}: the card was never saved`);
}

function isHighlighted(message: StoredMessage, choiceId: string): boolean {
  return message.blocks
    .flatMap((block) => (block.type === "actions" ? (block.elements as Block[]) : []))
    .some((button) => String(button.action_id).endsWith(`:${choiceId}`) && button.style === "primary");
}

function pickId(entry: string): string {
  return entry.startsWith("=") ? `t:${entry.slice(1)}` : `p:${entry}`;
}

/** Ranks 1–4 per display letter for the card form, from a ranking as above. */
function ranksOf(ranking: string[]): Record<string, number> {
  const ranks: Record<string, number> = {};
  let rank = 0;
  for (const entry of ranking) {
    if (!entry.startsWith("=")) rank += 1;
    ranks[entry.replace("=", "")] = rank;
  }
  return ranks;
}

/** The card form filled in from card answers; `blocks` as the form asks them. */
export function formAnswers(answers: CardAnswers, form: { personal: boolean; unacceptable: boolean }): FormAnswers {
  return {
    world: { ranks: ranksOf(answers.ranking), reason: answers.reasons.world },
    ...(form.personal
      ? {
          personal: {
            ranks: ranksOf(answers.personalRanking ?? answers.ranking),
            reason: answers.reasons.personal ?? answers.reasons.world,
          },
        }
      : {}),
    ...(form.unacceptable
      ? {
          unacceptable: (answers.unacceptable ?? []) as FormAnswers["unacceptable"],
          unacceptableReason: answers.reasons.unacceptable ?? "",
        }
      : {}),
  };
}

/** Which parts a card form asks, read from its input blocks. */
export function formParts(view: Block): { personal: boolean; unacceptable: boolean; inputs: number } {
  const ids = ((view.blocks ?? []) as Block[])
    .filter((block) => block.type === "input")
    .map((block) => String(block.block_id));
  return {
    personal: ids.some((id) => id.startsWith("personal_")),
    unacceptable: ids.includes("unacceptable"),
    inputs: ids.length,
  };
}
