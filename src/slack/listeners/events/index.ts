import type { AllMiddlewareArgs, App, SlackEventMiddlewareArgs } from "@slack/bolt";
import type { ListenerDeps } from "../../deps.js";
import { publishHome } from "../../home.js";
import { decodeSlackText } from "../../text.js";

export type HomeOpenedArgs = SlackEventMiddlewareArgs<"app_home_opened"> & AllMiddlewareArgs;
export type MessageArgs = SlackEventMiddlewareArgs<"message"> & AllMiddlewareArgs;

/** Events API: App Home opened, and messages typed in the DM with the app. */
export function register(app: App, deps: ListenerDeps): void {
  app.event("app_home_opened", onAppHomeOpened(deps));
  app.event("message", onDirectMessage(deps));
}

/** Publishes App Home when its Home tab is opened (the Messages tab needs nothing). */
export function onAppHomeOpened(deps: ListenerDeps) {
  return async ({ event, client }: HomeOpenedArgs): Promise<void> => {
    if (event.tab !== "home") return;
    await publishHome(client, deps, event.user);
  };
}

/**
 * A message typed in the DM: free text for the engine (a rationale, a typed
 * ranking, a country name). Bolt has already acknowledged the event; the
 * event_id goes to the engine, so Slack's retries of it (X-Slack-Retry-Num)
 * change nothing and send nothing. Edits, deletions, bot messages and other
 * subtypes are not answers.
 */
export function onDirectMessage(deps: ListenerDeps) {
  return async ({ event, body, client, context }: MessageArgs): Promise<void> => {
    if (event.channel_type !== "im" || event.subtype !== undefined) return;
    if (event.bot_id || !event.user || typeof event.text !== "string") return;
    const eventId = (body as { event_id?: string }).event_id;
    if (context.retryNum) {
      deps.logger.info(
        { eventId, retryNum: context.retryNum, retryReason: context.retryReason },
        "slack: event redelivered",
      );
    }
    await deps.conversations.run(
      client,
      { userId: event.user, channel: event.channel },
      { kind: "text", text: decodeSlackText(event.text) },
      eventId ? { eventId } : {},
    );
  };
}
