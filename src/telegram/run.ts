import { run } from "@grammyjs/runner";
import type Database from "better-sqlite3";
import type { Api, Bot } from "grammy";
import type { LanguageCode } from "grammy/types";
import type { Config } from "../config.js";
import type { Engine } from "../core/engine-types.js";
import { COMMANDS } from "../core/flow/inputs.js";
import type { I18n } from "../i18n/index.js";
import type { Logger } from "../logger.js";
import { createStaffChat } from "../staff/chat.js";
import { createTelegramBot } from "./bot.js";
import type { ChorusContext } from "./context.js";
import { errorFields } from "./errors.js";
import { InFlight } from "./in-flight.js";
import { createTelegramStore } from "./store.js";
import { startWebhookServer } from "./webhook.js";

/** The update kinds the bot handles; Telegram sends nothing else. */
export const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"] as const;

export type TelegramMode =
  | { kind: "polling" /** getUpdates long-poll timeout, seconds (default 30). */; timeoutSeconds?: number }
  | {
      kind: "webhook";
      /** The public HTTPS URL Telegram posts to; its path is the one the server answers. */
      url: string;
      secret: string;
      port: number;
      host?: string;
    };

export interface RunningTelegram {
  /** Stops taking updates, then waits for those in flight. The caller closes the database after. */
  stop(): Promise<void>;
  /** Webhook mode: the port the server listens on (useful when 0 was asked for). */
  port?: number;
}

/**
 * Starts a bot made by createTelegramBot with the same `inFlight`: identity
 * (getMe), the command menu in every language, then long polling through
 * grammY's runner or a webhook server.
 */
export async function runTelegram(
  bot: Bot<ChorusContext>,
  options: { inFlight: InFlight; i18n: I18n; logger: Logger; mode: TelegramMode },
): Promise<RunningTelegram> {
  const { inFlight, logger, mode } = options;
  await bot.init();
  await publishCommands(bot.api, options.i18n).catch((error: unknown) => {
    logger.warn({ err: errorFields(error) }, "could not set the command menu");
  });

  if (mode.kind === "webhook") {
    const server = await startWebhookServer(bot, { ...mode, path: new URL(mode.url).pathname, logger });
    await bot.api.setWebhook(mode.url, { secret_token: mode.secret, allowed_updates: [...ALLOWED_UPDATES] });
    logger.info({ bot: bot.botInfo.username, mode: "webhook", port: server.port }, "telegram bot started");
    return {
      port: server.port,
      async stop() {
        await server.close();
        await inFlight.idle();
      },
    };
  }

  await bot.api.deleteWebhook({ drop_pending_updates: false });
  bot.api.config.use(async (prev, method, payload, signal) => {
    try {
      return await prev(method, payload, signal);
    } catch (error) {
      if (method === "getUpdates" && !signal?.aborted) logger.warn({ err: errorFields(error) }, "polling failed");
      throw error;
    }
  });
  const runner = run(bot, {
    runner: {
      fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: mode.timeoutSeconds ?? 30 },
      // Fetch errors are logged by the transformer below, through pino.
      silent: true,
    },
  });
  runner.task()?.catch((error: unknown) => {
    logger.fatal({ err: errorFields(error) }, "telegram polling stopped for good (token revoked or another instance?)");
  });
  logger.info({ bot: bot.botInfo.username, mode: "polling" }, "telegram bot started");
  return {
    async stop() {
      if (runner.isRunning()) await runner.stop();
      await inFlight.idle();
    },
  };
}

/** `setMyCommands` for every supported language (Telegram wants two-letter codes) and a default. */
export async function publishCommands(api: Api, i18n: I18n): Promise<void> {
  const menu = (locale: string) => {
    const t = i18n.fixedT(locale);
    return COMMANDS.map((command) => ({ command, description: t(`commands.${command}`) as string }));
  };
  await api.setMyCommands(menu(i18n.fallbackLocale));
  const done = new Set<string>();
  for (const locale of i18n.locales) {
    const code = locale.split("-")[0]?.toLowerCase() ?? "";
    if (!/^[a-z]{2}$/.test(code) || done.has(code)) continue;
    done.add(code);
    await api.setMyCommands(menu(locale), { language_code: code as LanguageCode });
  }
}

/** Everything the entry point shares with the Telegram service. */
export interface TelegramServiceDeps {
  engine: Engine;
  i18n: I18n;
  logger: Logger;
  database: { sqlite: Database.Database };
}

/**
 * Builds and starts the Telegram service from the configuration (called by
 * src/main.ts when TELEGRAM_BOT_TOKEN is set): webhook mode when
 * TELEGRAM_WEBHOOK_URL is set, long polling otherwise.
 */
export async function startTelegram(
  config: Config,
  deps: TelegramServiceDeps,
): Promise<{ name: string; stop(): Promise<void> }> {
  if (!config.TELEGRAM_BOT_TOKEN) throw new Error("startTelegram needs TELEGRAM_BOT_TOKEN");
  const logger = deps.logger.child({ service: "telegram" });
  const inFlight = new InFlight();
  const bot = createTelegramBot({
    token: config.TELEGRAM_BOT_TOKEN,
    ...(config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {}),
    engine: deps.engine,
    i18n: deps.i18n,
    logger,
    store: createTelegramStore(deps.database),
    staffChat: createStaffChat({ sqlite: deps.database.sqlite, i18n: deps.i18n }),
    inFlight,
  });
  const mode: TelegramMode =
    config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET
      ? {
          kind: "webhook",
          url: config.TELEGRAM_WEBHOOK_URL,
          secret: config.TELEGRAM_WEBHOOK_SECRET,
          port: config.TELEGRAM_WEBHOOK_PORT,
          host: config.TELEGRAM_WEBHOOK_HOST,
        }
      : { kind: "polling" };
  const running = await runTelegram(bot, { inFlight, i18n: deps.i18n, logger, mode });
  return { name: "telegram", stop: () => running.stop() };
}
