import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import type { Pressed } from "../../conversation.js";
import type { ListenerDeps } from "../../deps.js";
import { publishHome } from "../../home.js";
import {
  CHOICE_ACTION,
  HOME_START_ACTION,
  TAKE_PART_ACTION,
  unpackChoice,
  unpackWrite,
  WRITE_ACTION,
} from "../../ids.js";
import { answerModal, promptBlocksOf } from "../../surfaces.js";
import { slackSay } from "../../text.js";
import * as staffBroadcast from "./staff-broadcast.js";

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** Button presses: survey choices, "Write your answer", App Home's Start, a recruitment post's "Take part". */
export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(CHOICE_ACTION, onChoice(deps));
  app.action<BlockAction<ButtonAction>>(WRITE_ACTION, onWriteAnswer(deps));
  app.action<BlockAction<ButtonAction>>(HOME_START_ACTION, onHomeStart(deps));
  app.action<BlockAction<ButtonAction>>(TAKE_PART_ACTION, onTakePart(deps));
  staffBroadcast.register(app, deps);
}

function pressedMessage(body: BlockAction<ButtonAction>, action: ButtonAction): Pressed | undefined {
  if (!body.message?.ts) return undefined;
  return { ts: body.message.ts, blocks: body.message.blocks ?? [], choiceLabel: action.text.text };
}

/** A survey choice: the step and choice id come from the action id; the engine judges staleness. */
export function onChoice(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const packed = unpackChoice(action.action_id);
    if (!packed) return;
    const userId = body.user.id;
    const channel = body.channel?.id ?? (await deps.conversations.dmChannel(client, userId));
    const pressed = pressedMessage(body, action);
    await deps.conversations.run(
      client,
      { userId, channel },
      { kind: "choice", step: packed.step, choice: packed.choice },
      pressed ? { pressed } : {},
    );
  };
}

/**
 * Opens the answer modal at once: everything it needs is in the button and
 * the message, so views.open goes out before any database work (the trigger
 * id expires after 3 seconds).
 */
export function onWriteAnswer(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const write = unpackWrite(action.action_id, action.value);
    const channel = body.channel?.id;
    if (!write || !channel) return;
    await client.views.open({
      trigger_id: body.trigger_id,
      view: answerModal({
        say: slackSay(deps.i18n, write.locale),
        metadata: { step: write.step, channel, ...(body.message?.ts ? { messageTs: body.message.ts } : {}) },
        maxChars: write.maxChars,
        promptBlocks: promptBlocksOf(body.message?.blocks),
      }),
    });
  };
}

/** App Home's Start / Continue: the survey goes on in the DM, and Home shows the new progress. */
export function onHomeStart(deps: ListenerDeps) {
  return async ({ ack, body, client }: ButtonArgs): Promise<void> => {
    await ack();
    const userId = body.user.id;
    const channel = await deps.conversations.dmChannel(client, userId);
    await deps.conversations.run(client, { userId, channel }, { kind: "start" });
    await publishHome(client, deps, userId);
  };
}

/** "Take part" under a recruitment post: first contact with the post's recruitment source. */
export function onTakePart(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const userId = body.user.id;
    const channel = await deps.conversations.dmChannel(client, userId);
    const source = action.value;
    await deps.conversations.run(client, { userId, channel }, { kind: "start", ...(source ? { source } : {}) });
  };
}
