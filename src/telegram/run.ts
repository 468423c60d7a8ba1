import { run } from "@grammyjs/runner";
import { type Api, type Bot, GrammyError, HttpError } from "grammy";
import type { LanguageCode } from "grammy/types";
import type { Config } from "../config.js";
import type { Engine } from "../core/engine-types.js";
import { COMMANDS } from "../core/flow/commands.js";
import type { I18n } from "../i18n/index.js";
import type { Logger } from "../logger.js";
import { sleep } from "../sleep.js";
import { createStaffChat } from "../staff/chat.js";
import type { OpenedDatabase } from "../store/client.js";
import { createTelegramBot } from "./bot.js";
import type { ChorusContext } from "./context.js";
import { errorFields, TelegramStartError } from "./errors.js";
import { InFlight } from "./in-flight.js";
import { createTelegramStore } from "./store.js";
import { startWebhookServer } from "./webhook.js";

/** The update kinds the bot handles; Telegram sends nothing else. */
const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"] as const;

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

/** Waits between attempts to reach an unreachable Bot API at start (the last one repeats). */
const START_RETRY_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000, 60_000];

export interface RunTelegramOptions {
  inFlight: InFlight;
  i18n: I18n;
  logger: Logger;
  mode: TelegramMode;
  /** Aborts the start-up retries (shutdown while Telegram is still unreachable). */
  signal?: AbortSignal;
  retryDelaysMs?: readonly number[];
}

/**
 * Starts a bot made by createTelegramBot with the same `inFlight`: identity
 * (getMe), the command menu in every language, then long polling through
 * grammY's runner or a webhook server. An unreachable Bot API is retried
 * (logged each time); an API that answers with a refusal (a wrong token, a
 * webhook URL Telegram will not take) fails with a TelegramStartError.
 */
export async function runTelegram(bot: Bot<ChorusContext>, options: RunTelegramOptions): Promise<RunningTelegram> {
  const { inFlight, logger, mode } = options;
  // grammY types its signal with the abort-controller shim; Node's own AbortSignal is what it uses at run time.
  const signal = options.signal as Parameters<Api["getMe"]>[0];
  const untilReachable = <T>(what: string, call: () => Promise<T>) =>
    retryWhileUnreachable(what, call, logger, options.signal, options.retryDelaysMs ?? START_RETRY_DELAYS_MS);
  // Not bot.init(): it retries an unreachable API silently and forever; this loop logs every attempt.
  if (!bot.isInited()) bot.botInfo = await untilReachable("getMe", () => bot.api.getMe(signal));
  await publishCommands(bot.api, options.i18n).catch((error: unknown) => {
    logger.warn({ err: errorFields(error) }, "could not set the command menu");
  });

  if (mode.kind === "webhook") {
    options.signal?.throwIfAborted();
    const server = await startWebhookServer(bot, { ...mode, path: new URL(mode.url).pathname, logger });
    try {
      await untilReachable("setWebhook", () =>
        bot.api.setWebhook(mode.url, { secret_token: mode.secret, allowed_updates: [...ALLOWED_UPDATES] }, signal),
      );
    } catch (error) {
      await server.close();
      throw error;
    }
    logger.info({ bot: bot.botInfo.username, mode: "webhook", port: server.port }, "telegram bot started");
    return {
      port: server.port,
      async stop() {
        await server.close();
        await inFlight.idle();
      },
    };
  }

  await untilReachable("deleteWebhook", () => bot.api.deleteWebhook({ drop_pending_updates: false }, signal));
  options.signal?.throwIfAborted();
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

/**
 * Calls `call` until the Bot API answers: network failures (grammY's
 * HttpError), 5xx and 429 are logged and retried after the next delay; an
 * answer that refuses (401 for a wrong token, 400 for a bad webhook URL)
 * becomes a TelegramStartError with one line for the operator.
 */
async function retryWhileUnreachable<T>(
  what: string,
  call: () => Promise<T>,
  logger: Logger,
  signal: AbortSignal | undefined,
  delaysMs: readonly number[],
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await call();
    } catch (error) {
      // 5xx and 429 are Telegram being unwell or busy, not a refusal: retried like the network.
      if (error instanceof GrammyError && error.error_code < 500 && error.error_code !== 429) {
        throw new TelegramStartError(what, `${error.error_code} ${error.description}`, { cause: error });
      }
      if (!(error instanceof HttpError || error instanceof GrammyError) || signal?.aborted) throw error;
      const delayMs = delaysMs[Math.min(attempt, delaysMs.length - 1)] ?? 1000;
      logger.warn(
        { err: errorFields(error), attempt: attempt + 1, retryInSeconds: delayMs / 1000 },
        `Telegram API unreachable (${what}); retrying`,
      );
      await sleep(delayMs, signal);
    }
  }
}

/** `setMyCommands` for every supported language (Telegram wants two-letter codes) and a default. */
async function publishCommands(api: Api, i18n: I18n): Promise<void> {
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
  database: Pick<OpenedDatabase, "sqlite">;
}

/** The Telegram service as the entry point runs it. */
export interface TelegramService {
  name: string;
  /** Resolves once polling or the webhook runs; rejects with a TelegramStartError if Telegram refused. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds and starts the Telegram service from the configuration (called by
 * src/main.ts when TELEGRAM_BOT_TOKEN is set): webhook mode when
 * TELEGRAM_WEBHOOK_URL is set, long polling otherwise. Returns at once: while
 * the Bot API is unreachable the start is retried in the background, so
 * Slack and the broadcasts are not held back.
 */
export function startTelegram(config: Config, deps: TelegramServiceDeps): TelegramService {
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
  const stopping = new AbortController();
  const starting = runTelegram(bot, { inFlight, i18n: deps.i18n, logger, mode, signal: stopping.signal });
  return {
    name: "telegram",
    ready: starting.then(() => undefined),
    async stop() {
      stopping.abort();
      const running = await starting.catch(() => undefined);
      await running?.stop();
    },
  };
}
