import { webApi } from "@slack/bolt";
import type { Command } from "commander";
import { Api } from "grammy";
import { isRecruitmentSource } from "../core/engine.js";
import { TAKE_PART_ACTION } from "../slack/ids.js";
import { recordAudit } from "../staff/audit.js";
import { loadStudy, newcomerStudyId } from "../store/stored-study.js";
import {
  type CliIo,
  type CliRuntime,
  CommandFailure,
  checkArguments,
  defaultIo,
  EXIT,
  printJson,
  runCommand,
  UsageError,
} from "./runtime.js";

/**
 * `chorus recruit link|post`: recruitment with a source recorded on every
 * participant who comes through it (the Telegram deep link's start
 * parameter, or the Slack "Take part" button's value).
 */

function checkSource(source: string): string {
  if (!isRecruitmentSource(source)) {
    throw new UsageError(`--source ${JSON.stringify(source)}: expected 1–64 characters of A-Z a-z 0-9 _ -`);
  }
  return source;
}

/** The bot's username: TELEGRAM_BOT_USERNAME, else asked from Telegram (getMe) with the bot token. */
async function botUsername(runtime: CliRuntime): Promise<string> {
  const configured = runtime.config.TELEGRAM_BOT_USERNAME?.replace(/^@/, "");
  if (configured) return configured;
  const token = runtime.config.TELEGRAM_BOT_TOKEN;
  if (!token) throw new CommandFailure("Set TELEGRAM_BOT_USERNAME (or TELEGRAM_BOT_TOKEN to ask Telegram for it)");
  const api = new Api(
    token,
    runtime.config.TELEGRAM_API_ROOT ? { apiRoot: runtime.config.TELEGRAM_API_ROOT } : undefined,
  );
  try {
    const me = await api.getMe();
    if (!me.username) throw new CommandFailure("Telegram returned no username for this bot");
    return me.username;
  } catch (error) {
    if (error instanceof CommandFailure) throw error;
    throw new CommandFailure(`Cannot ask Telegram for the bot's username: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** The published study recruits join (the engine's open study), or the one named. */
function recruitingStudy(runtime: CliRuntime, studyId: string | undefined) {
  const id = studyId ?? newcomerStudyId(runtime.database.sqlite);
  if (!id)
    throw new CommandFailure("No study is published; newcomers would have nothing to join (chorus study publish ID)");
  const study = loadStudy(runtime.database.sqlite, id);
  if (!study) throw new CommandFailure(`No study with id "${id}" (see: chorus study list)`);
  return study;
}

export function registerRecruitCommands(program: Command, io: CliIo = defaultIo()): void {
  const recruit = program
    .command("recruit")
    .description("Recruitment: a Telegram deep link, or a Slack channel post with a Take part button");

  recruit
    .command("link")
    .requiredOption("--source <name>", "recorded on each participant who joins through the link (A-Z a-z 0-9 _ -)")
    .description("Print the Telegram deep link https://t.me/<bot>?start=<source>")
    .option("--json", "print as JSON")
    .action(async (options: { source: string; json?: boolean }) => {
      const source = checkArguments(io, () => checkSource(options.source));
      if (!source) return;
      await runCommand(io, async (runtime) => {
        const username = await botUsername(runtime);
        const link = `https://t.me/${username}?start=${source}`;
        recordAudit(runtime.database.sqlite, runtime.actor, "recruit.link", { source, link });
        if (options.json) printJson(io, { link, source, bot: username });
        else io.out(link);
        return EXIT.ok;
      });
    });

  recruit
    .command("post")
    .requiredOption("--slack-channel <id>", "the channel id (C…, G…), from the channel's details")
    .requiredOption("--source <name>", "recorded on each participant who presses Take part")
    .option("--study <id>", "the study named in the invitation (default: the published one newcomers join)")
    .option("--locale <locale>", "language of the invitation (default: DEFAULT_LOCALE)")
    .option("--text <text>", "your own invitation text instead of the standard one")
    .option("--json", "print the posted message's channel and ts as JSON")
    .description(
      'Post an invitation with a "Take part" button in a Slack channel; pressing it opens the survey in a DM',
    )
    .action(
      async (options: {
        slackChannel: string;
        source: string;
        study?: string;
        locale?: string;
        text?: string;
        json?: boolean;
      }) => {
        const checked = checkArguments(io, () => {
          if (!/^[CG][A-Z0-9]{2,}$/.test(options.slackChannel)) {
            throw new UsageError(
              `--slack-channel ${options.slackChannel}: expected a channel id such as C0123ABCD (not a #name)`,
            );
          }
          return checkSource(options.source);
        });
        if (!checked) return;
        await runCommand(io, async (runtime) => {
          const token = runtime.config.SLACK_BOT_TOKEN;
          if (!token) throw new CommandFailure("Set SLACK_BOT_TOKEN to post in Slack");
          const study = recruitingStudy(runtime, options.study);
          const locale = options.locale ?? runtime.i18n.fallbackLocale;
          const say = (key: string) =>
            runtime.i18n.render(locale, { key, params: { title: { localized: study.title } } });
          const text = options.text ?? say("recruit.invitation");
          const client = new webApi.WebClient(token, {
            ...(runtime.config.SLACK_API_URL ? { slackApiUrl: runtime.config.SLACK_API_URL } : {}),
            logLevel: webApi.LogLevel.ERROR,
          });
          let posted: { channel?: string; ts?: string };
          try {
            posted = await client.chat.postMessage({
              channel: options.slackChannel,
              text,
              blocks: [
                { type: "section", text: { type: "plain_text", text } },
                {
                  type: "actions",
                  elements: [
                    {
                      type: "button",
                      style: "primary",
                      action_id: TAKE_PART_ACTION,
                      value: checked,
                      text: { type: "plain_text", text: say("recruit.take_part") },
                    },
                  ],
                },
              ],
            });
          } catch (error) {
            const reason = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
            throw new CommandFailure(
              `Slack refused the post: ${reason}${reason === "not_in_channel" ? " (invite the app to the channel first: /invite @Chorus)" : ""}`,
            );
          }
          recordAudit(runtime.database.sqlite, runtime.actor, "recruit.post", {
            channel: options.slackChannel,
            source: checked,
            studyId: study.id,
            ts: posted.ts ?? null,
          });
          if (options.json) printJson(io, { channel: posted.channel, ts: posted.ts, source: checked });
          else io.out(`Posted in ${options.slackChannel} (ts ${posted.ts}); presses record source "${checked}".`);
          return EXIT.ok;
        });
      },
    );
}
