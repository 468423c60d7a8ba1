import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import type { EngineResult } from "../../../core/engine-types.js";
import type { Text } from "../../../core/flow/prompts.js";
import { slackRef } from "../../conversation.js";
import type { ListenerDeps } from "../../deps.js";
import { ANSWER_BLOCK, ANSWER_CALLBACK, ANSWER_ELEMENT, unpackModalMetadata } from "../../ids.js";
import { slackKey, slackSay } from "../../text.js";

export type ViewSubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** The answer modal's submission. */
export function register(app: App, deps: ListenerDeps): void {
  app.view<ViewSubmitAction>(ANSWER_CALLBACK, onAnswerSubmitted(deps));
}

/**
 * An error the participant has already been told about (here: in the modal);
 * the app's error handler logs it without messaging them a second time.
 */
export class ParticipantToldError extends Error {
  override readonly name = "ParticipantToldError";
}

/**
 * The engine refused the answer and asks again for the same step: its
 * notice (too short, too long, empty) belongs on the modal's input.
 */
export function modalRejection(result: EngineResult, step: number): Text | undefined {
  const [first] = result.prompts;
  if (first?.kind !== "notice") return undefined;
  const asksAgain = result.prompts.some((prompt) => prompt.kind === "ask_text" && prompt.step === step);
  return asksAgain ? first.text : undefined;
}

/**
 * The engine runs before the acknowledgement (it is synchronous and takes
 * milliseconds), because only its verdict decides whether the modal closes
 * or shows the validation error on the input block.
 */
function isStaleNotice(result: EngineResult): boolean {
  const [first] = result.prompts;
  return (
    result.prompts.length === 1 && first?.kind === "notice" && "key" in first.text && first.text.key === "errors.stale"
  );
}

export function onAnswerSubmitted(deps: ListenerDeps) {
  return async ({ ack, body, view, client }: ViewSubmitArgs): Promise<void> => {
    const metadata = unpackModalMetadata(view.private_metadata);
    if (!metadata) {
      await ack();
      return;
    }
    const userId = body.user.id;
    const text = view.state.values[ANSWER_BLOCK]?.[ANSWER_ELEMENT]?.value ?? "";
    let result: EngineResult | undefined;
    try {
      // The text answers the prompt the modal was opened for: a later step makes it stale.
      if (deps.participants.findParticipant(slackRef(userId))) {
        const answer = deps.conversations.handle(userId, { kind: "text", text, step: metadata.step });
        if (!isStaleNotice(answer)) result = answer;
      }
    } catch (error) {
      // The store itself may be what failed, so the apology is in the default language.
      await ack(modalError(deps, { key: "errors.internal" }, deps.i18n.fallbackLocale));
      throw new ParticipantToldError("answer modal: engine failed", { cause: error });
    }
    if (!result) {
      await ack(modalError(deps, { key: "errors.stale" }, deps.conversations.localeOf(userId)));
      return;
    }
    const rejection = modalRejection(result, metadata.step);
    if (rejection) {
      await ack(modalError(deps, rejection, result.locale));
      return;
    }
    await ack();
    const say = slackSay(deps.i18n, result.locale);
    // The message the modal was opened from loses its button: its question is answered.
    const pressed = metadata.messageTs
      ? {
          ts: metadata.messageTs,
          blocks: view.blocks.filter((block) => block.type !== "input"),
          choiceLabel: say(slackKey("answer_sent")),
        }
      : undefined;
    await deps.conversations.deliver(client, { userId, channel: metadata.channel }, result, pressed);
  };
}

function modalError(deps: ListenerDeps, text: Text, locale: string) {
  return {
    response_action: "errors" as const,
    errors: { [ANSWER_BLOCK]: slackSay(deps.i18n, locale)(text) },
  };
}
