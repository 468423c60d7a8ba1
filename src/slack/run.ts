import type { Logger } from "pino";
import type { Config } from "../config.js";
import type { Engine } from "../core/engine-types.js";
import type { I18n } from "../i18n/index.js";
import { createStaffChat } from "../staff/chat.js";
import type { OpenedDatabase } from "../store/client.js";
import { createSurveyStore } from "../store/survey-store.js";
import { createSlackApp } from "./app.js";
import { createSlackStaff } from "./store.js";

interface SlackServiceDeps {
  engine: Engine;
  i18n: I18n;
  logger: Logger;
  database: Pick<OpenedDatabase, "sqlite">;
}

/**
 * Builds and starts the Slack service from the configuration (called by
 * src/main.ts when SLACK_BOT_TOKEN is set): Socket Mode unless SLACK_MODE is
 * http. `stop` stops taking requests and waits for those in flight; the
 * caller closes the database after.
 */
export async function startSlack(
  config: Config,
  deps: SlackServiceDeps,
): Promise<{ name: string; stop(): Promise<void> }> {
  if (!config.SLACK_BOT_TOKEN) throw new Error("startSlack needs SLACK_BOT_TOKEN");
  const logger = deps.logger.child({ service: "slack" });
  const slack = createSlackApp({
    botToken: config.SLACK_BOT_TOKEN,
    ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
    ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
    mode: config.SLACK_MODE,
    port: config.SLACK_PORT,
    host: config.SLACK_HOST,
    ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
    engine: deps.engine,
    i18n: deps.i18n,
    logger,
    participants: createSurveyStore(deps.database),
    staff: createSlackStaff(deps.database),
    staffChat: createStaffChat({ sqlite: deps.database.sqlite, i18n: deps.i18n }),
  });
  const { port } = await slack.start();
  logger.info({ mode: config.SLACK_MODE, ...(port ? { port } : {}) }, "slack app running");
  return { name: "slack", stop: () => slack.stop() };
}
