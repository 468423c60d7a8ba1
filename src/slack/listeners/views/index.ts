import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, ViewSubmitAction } from "@slack/bolt";
import type { EngineResult } from "../../../core/engine-types.js";
import type { Input } from "../../../core/flow/inputs.js";
import type { Text } from "../../../core/flow/prompts.js";
import {
  type CardFormMetadata,
  fieldBlockId,
  firstInputBlockId,
  submissionFromForm,
  unpackFormMetadata,
} from "../../card-form.js";
import type { ListenerDeps } from "../../deps.js";
import { ANSWER_BLOCK, ANSWER_CALLBACK, ANSWER_ELEMENT, CARD_FORM_CALLBACK, unpackModalMetadata } from "../../ids.js";
import { type SayText, slackKey, slackSay } from "../../text.js";

type ViewSubmitArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Submissions of the answer modal (a typed answer) and of the card form (a whole scenario). */
export function register(app: App, deps: ListenerDeps): void {
  app.view<ViewSubmitAction>(ANSWER_CALLBACK, onAnswerSubmitted(deps));
  app.view<ViewSubmitAction>(CARD_FORM_CALLBACK, onCardFormSubmitted(deps));
}

/**
 * An error the participant has already been told about (here: in the modal);
 * the app's error handler logs it without messaging them a second time.
 */
export class ParticipantToldError extends Error {
  override readonly name = "ParticipantToldError";
}

type Errors = Record<string, string>;

/**
 * The engine runs before the acknowledgement (it is synchronous and takes
 * milliseconds), because only its verdict decides whether the modal closes
 * or shows its problems on the inputs. A modal whose answer was refused
 * stays open with the errors; one that was taken closes, and the DM moves on.
 */
async function submitModal(
  deps: ListenerDeps,
  args: ViewSubmitArgs,
  input: Input,
  errorsOf: (result: EngineResult, say: SayText) => Errors | undefined,
  fallbackBlockId: string,
  target: { channel: string; messageTs?: string },
): Promise<void> {
  const { ack, body, client } = args;
  const userId = body.user.id;
  let result: EngineResult;
  try {
    result = deps.conversations.handle(userId, input);
  } catch (error) {
    // The store itself may be what failed, so the apology is in the default language.
    const say = slackSay(deps.i18n, deps.i18n.fallbackLocale);
    await ack({ response_action: "errors", errors: { [fallbackBlockId]: say({ key: "errors.internal" }) } });
    throw new ParticipantToldError("modal: engine failed", { cause: error });
  }
  const say = slackSay(deps.i18n, result.locale);
  const errors = errorsOf(result, say);
  if (errors) {
    await ack({ response_action: "errors", errors });
    return;
  }
  await ack();
  await deps.conversations.deliver(client, { userId, channel: target.channel }, result, {
    kind: "form",
    ...(target.messageTs ? { messageTs: target.messageTs } : {}),
  });
}

/** Whether the engine took the answer: anything it said first (a notice, a refusal) means it did not. */
function refusal(result: EngineResult, say: SayText): string | undefined {
  if (result.participantId === undefined) {
    const [first] = result.prompts;
    return first && "text" in first ? say(first.text) : say({ key: "withdraw.gone" });
  }
  const notices = result.prompts.filter((prompt) => prompt.kind === "notice");
  if (notices.length === 0) return undefined;
  return notices.map((notice) => say(staleInModal(notice.text))).join(" ");
}

/** "This button is out of date" reads "This form is out of date" in a modal. */
function staleInModal(text: Text): Text {
  return "key" in text && text.key === "errors.stale" ? slackKey("form.stale") : text;
}

/** The answer modal (a typed answer to one question): its refusal appears on its one input. */
function onAnswerSubmitted(deps: ListenerDeps) {
  return async (args: ViewSubmitArgs): Promise<void> => {
    const metadata = unpackModalMetadata(args.view.private_metadata);
    if (!metadata) {
      await args.ack();
      return;
    }
    const text = args.view.state.values[ANSWER_BLOCK]?.[ANSWER_ELEMENT]?.value ?? "";
    // The text answers the prompt the modal was opened for: a later step makes it stale.
    await submitModal(
      deps,
      args,
      { kind: "text", text, step: metadata.step },
      (result, say) => {
        const refused = refusal(result, say);
        return refused ? { [ANSWER_BLOCK]: refused } : undefined;
      },
      ANSWER_BLOCK,
      metadata,
    );
  };
}

/**
 * The card form: one whole-card input for the engine. Each problem it names
 * goes on its field's input; anything else (out of date, paused) on the first.
 */
function onCardFormSubmitted(deps: ListenerDeps) {
  return async (args: ViewSubmitArgs): Promise<void> => {
    const metadata = unpackFormMetadata(args.view.private_metadata);
    if (!metadata) {
      await args.ack();
      return;
    }
    await submitModal(
      deps,
      args,
      submissionFromForm(args.view.state.values, metadata),
      (result, say) => formErrors(result, metadata, say),
      firstInputBlockId(metadata),
      metadata,
    );
  };
}

function formErrors(result: EngineResult, metadata: CardFormMetadata, say: SayText): Errors | undefined {
  const general = firstInputBlockId(metadata);
  if (result.participantId === undefined) return { [general]: refusal(result, say) ?? "" };
  const errors: Errors = {};
  for (const prompt of result.prompts) {
    if (prompt.kind !== "notice") continue;
    const blockId = prompt.field ? fieldBlockId(prompt.field) : general;
    const text = say(staleInModal(prompt.text));
    errors[blockId] = errors[blockId] ? `${errors[blockId]} ${text}` : text;
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}
