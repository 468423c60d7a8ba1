import type { types } from "@slack/bolt";
import { actions, type Block, button, context, header, LIMITS, plain, sections, shorten } from "./blocks.js";
import {
  ANSWER_BLOCK,
  ANSWER_CALLBACK,
  ANSWER_ELEMENT,
  type AnswerModalMetadata,
  HOME_START_ACTION,
  PROMPT_BLOCK,
  packModalMetadata,
} from "./ids.js";
import { type SayText, slackKey } from "./text.js";

export type ModalView = types.ModalView;
type HomeView = types.HomeView;

/**
 * The answer modal: the question's own text (copied from the message the
 * button was in), then a multiline input. Slack caps a plain_text_input at
 * 3,000 characters, so a study limit above that is enforced there by Slack;
 * everything else (too short, too long, empty) is the engine's verdict,
 * shown on the input block.
 */
export function answerModal(options: {
  say: SayText;
  metadata: AnswerModalMetadata;
  maxChars: number;
  promptBlocks: Block[];
}): ModalView {
  const { say } = options;
  const room = LIMITS.modalBlocks - 1;
  return {
    type: "modal",
    callback_id: ANSWER_CALLBACK,
    private_metadata: packModalMetadata(options.metadata),
    title: plain(shorten(say(slackKey("modal.title")), LIMITS.modalTitle)),
    submit: plain(shorten(say(slackKey("modal.submit")), LIMITS.modalTitle)),
    close: plain(shorten(say(slackKey("modal.cancel")), LIMITS.modalTitle)),
    blocks: [
      ...options.promptBlocks.slice(0, room),
      {
        type: "input",
        block_id: ANSWER_BLOCK,
        label: plain(shorten(say(slackKey("modal.label")), LIMITS.inputLabel)),
        element: {
          type: "plain_text_input",
          action_id: ANSWER_ELEMENT,
          multiline: true,
          max_length: Math.min(options.maxChars, LIMITS.inputMaxLength),
        },
      },
    ],
  };
}

/**
 * The prompt text blocks of a message (the section marked PROMPT_BLOCK and the
 * sections continuing it), re-made as plain sections for a modal.
 */
export function promptBlocksOf(messageBlocks: readonly unknown[] | undefined): Block[] {
  if (!messageBlocks) return [];
  const start = messageBlocks.findIndex((block) => (block as { block_id?: string }).block_id === PROMPT_BLOCK);
  if (start < 0) return [];
  const texts: string[] = [];
  for (const block of messageBlocks.slice(start)) {
    const section = block as { type?: string; text?: { text?: string } };
    if (section.type !== "section" || typeof section.text?.text !== "string") break;
    texts.push(section.text.text);
  }
  return sections(texts.join(""));
}

interface HomeState {
  /** Where the participant stands, as the engine words it; undefined for someone new. */
  progress: string[] | undefined;
}

/** App Home: what Chorus is or where the participant stands, and Start / Continue. */
export function homeView(say: SayText, state: HomeState): HomeView {
  const started = state.progress !== undefined;
  const blocks: Block[] = [
    ...header(say(slackKey("home.title"))),
    ...(state.progress ?? [say(slackKey("home.intro"))]).flatMap((text) => sections(text)),
    ...actions([button(say(slackKey(started ? "home.continue" : "home.start")), HOME_START_ACTION, { primary: true })]),
    ...context(say(slackKey("home.where"))),
  ];
  return { type: "home", blocks };
}
