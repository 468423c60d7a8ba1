import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { cardFormFits, cardFormView } from "../../card-form.js";
import { errorSummary } from "../../conversation.js";
import type { ListenerDeps } from "../../deps.js";
import { publishHome } from "../../home.js";
import {
  CHOICE_ACTION,
  FORM_ACTION,
  HOME_START_ACTION,
  PAGE_ACTION,
  TAKE_PART_ACTION,
  unpackChoice,
  unpackPage,
  unpackWrite,
  WRITE_ACTION,
} from "../../ids.js";
import { answerModal, promptBlocksOf } from "../../surfaces.js";
import { slackSay } from "../../text.js";
import * as staffBroadcast from "./staff-broadcast.js";

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * Button presses: survey choices, "Answer in one form", a long card's parts,
 * "Write your answer", App Home's Start, a recruitment post's "Take part".
 */
export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(CHOICE_ACTION, onChoice(deps));
  app.action<BlockAction<ButtonAction>>(FORM_ACTION, onOpenForm(deps));
  app.action<BlockAction<ButtonAction>>(PAGE_ACTION, onPage(deps));
  app.action<BlockAction<ButtonAction>>(WRITE_ACTION, onWriteAnswer(deps));
  app.action<BlockAction<ButtonAction>>(HOME_START_ACTION, onHomeStart(deps));
  app.action<BlockAction<ButtonAction>>(TAKE_PART_ACTION, onTakePart(deps));
  staffBroadcast.register(app, deps);
}

/** A survey choice: the step and choice id come from the action id; the engine judges staleness. */
function onChoice(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const packed = unpackChoice(action.action_id);
    if (!packed) return;
    const userId = body.user.id;
    const channel = body.channel?.id ?? (await deps.conversations.dmChannel(client, userId));
    const message = body.message;
    await deps.conversations.run(
      client,
      { userId, channel },
      { kind: "choice", step: packed.step, choice: packed.choice },
      message?.ts
        ? { origin: { kind: "press", ts: message.ts, blocks: message.blocks ?? [], label: action.text.text } }
        : {},
    );
  };
}

/**
 * "Answer in one form": the modal opens at once, built from the card as this
 * process last sent it (no database work before views.open: the trigger id
 * expires after 3 seconds). Only then are the responses shown in it counted
 * as read.
 */
function onOpenForm(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const userId = body.user.id;
    const found = action.value ? deps.conversations.cardFor(userId, action.value) : undefined;
    const channel = body.channel?.id ?? (await deps.conversations.dmChannel(client, userId));
    const say = slackSay(deps.i18n, found?.locale ?? deps.conversations.localeOf(userId));
    if (!found?.card.form || !cardFormFits(found.card, say)) {
      await deps.conversations.notify(client, { userId, channel }, say({ key: "errors.stale" }));
      return;
    }
    const { card, locale } = found;
    const messageTs = body.message?.ts ?? found.ts;
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: cardFormView(card, say, {
          step: card.step,
          cardId: card.cardId,
          channel,
          ...(messageTs ? { messageTs } : {}),
          locale,
          blocks: card.form?.blocks ?? ["world"],
          unacceptable: card.form?.unacceptable ?? false,
          ratings: card.form?.ratings.map((rating) => rating.id) ?? [],
        }),
      });
    } catch (error) {
      // The trigger id is good for one try within 3 seconds: a retry cannot open it, the button can.
      deps.logger.warn({ userId, err: errorSummary(error) }, "slack: the card form did not open");
      await deps.conversations.notify(client, { userId, channel }, say({ key: "errors.internal" }));
      return;
    }
    deps.conversations.recordFormReading(userId, card);
  };
}

/** Another part of a card whose text needs more than one message: the card is edited in place. */
function onPage(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const page = unpackPage(action.action_id);
    const ts = body.message?.ts;
    if (page === undefined || !ts || !action.value) return;
    const userId = body.user.id;
    const channel = body.channel?.id ?? (await deps.conversations.dmChannel(client, userId));
    await deps.conversations.turnPage(client, { userId, channel }, ts, action.value, page);
  };
}

/**
 * Opens the answer modal at once: everything it needs is in the button and
 * the message, so views.open goes out before any database work (the trigger
 * id expires after 3 seconds).
 */
function onWriteAnswer(deps: ListenerDeps) {
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
function onHomeStart(deps: ListenerDeps) {
  return async ({ ack, body, client }: ButtonArgs): Promise<void> => {
    await ack();
    const userId = body.user.id;
    const channel = await deps.conversations.dmChannel(client, userId);
    await deps.conversations.run(client, { userId, channel }, { kind: "start" });
    await publishHome(client, deps, userId);
  };
}

/** "Take part" under a recruitment post: first contact with the post's recruitment source. */
function onTakePart(deps: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs): Promise<void> => {
    await ack();
    const userId = body.user.id;
    const channel = await deps.conversations.dmChannel(client, userId);
    const source = action.value;
    await deps.conversations.run(client, { userId, channel }, { kind: "start", ...(source ? { source } : {}) });
  };
}
