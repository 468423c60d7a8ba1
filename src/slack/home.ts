import type { Prompt } from "../core/flow/prompts.js";
import { closestOfferedLocale } from "../core/locales.js";
import { slackRef, type WebClient } from "./conversation.js";
import type { ListenerDeps } from "./deps.js";
import { homeView } from "./surfaces.js";
import { slackSay } from "./text.js";

/**
 * Publishes App Home for one user: for a participant, where they stand (the
 * engine's own progress answer) and Continue; for anyone else, what Chorus is
 * and Start, in their Slack language when it is offered.
 */
export async function publishHome(client: WebClient, deps: ListenerDeps, userId: string): Promise<void> {
  const ref = slackRef(userId);
  let view: ReturnType<typeof homeView>;
  if (deps.participants.findParticipant(ref)) {
    const result = deps.conversations.handle(userId, { kind: "command", name: "progress" });
    const say = slackSay(deps.i18n, result.locale);
    // The engine's answer comes first; the current step it shows after that belongs in the DM.
    const answer = result.prompts.find(
      (prompt): prompt is Extract<Prompt, { kind: "message" }> => prompt.kind === "message",
    );
    const progress = answer ? [say(answer.text)] : [];
    view = homeView(say, { progress });
  } else {
    const suggested = await deps.conversations.slackLocale(client, userId);
    const locale = closestOfferedLocale(deps.i18n.locales, suggested) ?? deps.i18n.fallbackLocale;
    view = homeView(slackSay(deps.i18n, locale), { progress: undefined });
  }
  await deps.conversations.call(userId, "views.publish", () => client.views.publish({ user_id: userId, view }));
}
