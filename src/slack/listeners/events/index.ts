import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from "@slack/bolt";
import type { Input } from "../../../core/flow/inputs.js";
import type { ListenerDeps } from "../../deps.js";
import { publishHome } from "../../home.js";
import { decodeSlackText, slackKey, slackSay } from "../../text.js";

type HomeOpenedArgs = SlackEventMiddlewareArgs<"app_home_opened"> & AllMiddlewareArgs;
type MessageArgs = SlackEventMiddlewareArgs<"message"> & AllMiddlewareArgs;

/** Events API: App Home opened, and messages typed in the DM with the app. */
export function register(app: App, deps: ListenerDeps): void {
  app.event("app_home_opened", onAppHomeOpened(deps));
  app.event("message", onDirectMessage(deps));
}

/** Publishes App Home when its Home tab is opened (the Messages tab needs nothing). */
function onAppHomeOpened(deps: ListenerDeps) {
  return async ({ event, client }: HomeOpenedArgs): Promise<void> => {
    if (event.tab !== "home") return;
    await publishHome(client, deps, event.user);
  };
}

/** The fields of a DM message event this adapter reads, whatever its subtype. */
interface DmMessage {
  channel: string;
  channel_type?: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  /** message_changed: the message as edited, and as it was. */
  message?: { user?: string; bot_id?: string; text?: string };
  previous_message?: { text?: string };
}

/**
 * A message in the DM. Typed text is free text for the engine (a reason, a
 * typed ranking, a country name); a file share is media, its message text a
 * caption; an edit gets a one-line answer (the survey keeps what was sent).
 * Bolt has already acknowledged the event; the event_id goes to the engine,
 * so Slack's retries of it (X-Slack-Retry-Num) change nothing and send nothing.
 * The app's own messages, deletions and other subtypes are not answers.
 */
function onDirectMessage(deps: ListenerDeps) {
  return async ({ event, body, client, context }: MessageArgs): Promise<void> => {
    const message = event as unknown as DmMessage;
    if (message.channel_type !== "im") return;
    if (message.subtype === "message_changed") return answerEdit(deps, client, message);
    if (message.subtype !== undefined && message.subtype !== "file_share") return;
    if (message.bot_id || !message.user) return;
    const input = inputOf(message);
    const eventId = (body as { event_id?: string }).event_id;
    if (context.retryNum) {
      deps.logger.info(
        { eventId, retryNum: context.retryNum, retryReason: context.retryReason },
        "slack: event redelivered",
      );
    }
    await deps.conversations.run(
      client,
      { userId: message.user, channel: message.channel },
      input,
      eventId ? { eventId } : {},
    );
  };
}

function inputOf(message: DmMessage): Input {
  const text = decodeSlackText(message.text ?? "");
  if (message.subtype !== "file_share") return { kind: "text", text };
  return text.trim() === "" ? { kind: "media" } : { kind: "text", text, fromCaption: true };
}

/**
 * A participant edited one of their messages: Slack sends it as
 * message_changed, also for the app's own edits and for link previews, which
 * change no text and are not answered.
 */
async function answerEdit(deps: ListenerDeps, client: MessageArgs["client"], event: DmMessage): Promise<void> {
  const edited = event.message;
  const userId = edited?.user;
  if (!edited || !userId || edited.bot_id || edited.text === event.previous_message?.text) return;
  const say = slackSay(deps.i18n, deps.conversations.localeOf(userId));
  await deps.conversations.notify(client, { userId, channel: event.channel }, say(slackKey("edited")));
}
