import type { AllMiddlewareArgs, App, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { PARTICIPANT_STATUSES } from "../../../core/flow/effects.js";
import type { Input } from "../../../core/flow/inputs.js";
import { type Block, header, plain, sections } from "../../blocks.js";
import type { ListenerDeps } from "../../deps.js";
import { slackKey, slackSay } from "../../text.js";
import { staffBroadcastReply } from "./staff-broadcast.js";

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
export interface EphemeralReply {
  response_type: "ephemeral";
  text: string;
  blocks?: Block[];
}

/** The one slash command the manifest declares. */
export const SLASH_COMMAND = "/chorus";

/** `/chorus help|progress|language|pause|resume|mydata|withdraw|start` for everyone; `/chorus stats` for staff. */
export function register(app: App, deps: ListenerDeps): void {
  app.command(SLASH_COMMAND, onChorusCommand(deps));
}

/** The subcommand word: `/chorus` alone means help. */
function subcommandOf(text: string): string {
  return text.trim().split(/\s+/)[0]?.toLowerCase() || "help";
}

/**
 * Participant subcommands are the engine's commands (an unknown word is
 * answered by the engine too; the engine shows the current step again after
 * its answer, posted below with the buttons); the answer goes to the DM with
 * the app, and a command typed elsewhere gets an ephemeral pointer there.
 */
function onChorusCommand(deps: ListenerDeps) {
  return async ({ command, ack, client, respond }: CommandArgs): Promise<void> => {
    const userId = command.user_id;
    const word = subcommandOf(command.text);
    if (word === "stats" || (word === "broadcast" && deps.staffChat)) {
      let reply: EphemeralReply | undefined;
      try {
        reply =
          word === "broadcast" && deps.staffChat
            ? staffBroadcastReply(deps.staffChat, userId, deps.conversations.localeOf(userId), command.text)
            : statsReply(deps, userId);
      } finally {
        await ack(reply);
      }
      return;
    }
    await ack();
    const channel = await deps.conversations.dmChannel(client, userId);
    // `/chorus start` is the explicit start that may make someone a participant.
    const input: Input = word === "start" ? { kind: "start" } : { kind: "command", name: word };
    const result = await deps.conversations.run(client, { userId, channel }, input);
    if (command.channel_id !== channel) {
      await respond({ response_type: "ephemeral", text: slackSay(deps.i18n, result.locale)(slackKey("see_dm")) });
    }
  };
}

/** Per-study counts for staff (staff table, platform "slack"); a polite refusal for anyone else. */
function statsReply(deps: ListenerDeps, userId: string): EphemeralReply {
  const say = slackSay(deps.i18n, deps.conversations.localeOf(userId));
  if (deps.staffChat) {
    // Audited, with quota cells and scenarios (src/staff/chat.ts).
    const staff = deps.staffChat.stats({ platform: "slack", userId }, deps.conversations.localeOf(userId));
    return { response_type: "ephemeral", text: staff.text, ...(staff.allowed ? { blocks: sections(staff.text) } : {}) };
  }
  if (!deps.staff?.canSeeStats(userId)) return { response_type: "ephemeral", text: say({ key: "staff.not_allowed" }) };
  const studies = deps.staff.stats();
  if (studies.length === 0) return { response_type: "ephemeral", text: say({ key: "staff.stats_none" }) };
  const title = say({ key: "staff.stats_title" });
  const blocks: Block[] = [...header(title)];
  for (const study of studies) {
    const fields = PARTICIPANT_STATUSES.filter((status) => study.byStatus[status]).map((status) =>
      plain(
        say({
          key: "staff.stats_line",
          params: { status: { key: `staff.status.${status}` }, count: study.byStatus[status] ?? 0 },
        }),
      ),
    );
    fields.push(plain(say({ key: "staff.stats_assessments", params: { count: study.assessments } })));
    blocks.push(...sections(say({ key: "staff.stats_study", params: { study: { verbatim: study.studyId } } })), {
      type: "section",
      fields,
    });
  }
  return { response_type: "ephemeral", text: title, blocks };
}
