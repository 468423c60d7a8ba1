/**
 * Entry point and composition root: config → logger → database → engine →
 * the adapters that have credentials (or the terminal pilot when none do).
 * Start-up and shutdown live here and nowhere else.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { resumePendingBroadcasts } from "./broadcast/from-config.js";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { runPilot } from "./console/pilot.js";
import { createEngine } from "./core/engine.js";
import type { Engine } from "./core/engine-types.js";
import { createLanguageDetector } from "./i18n/detect-language.js";
import { createI18n, type I18n } from "./i18n/index.js";
import { createPlaceMatcher } from "./i18n/places.js";
import { createLogger, type Logger } from "./logger.js";
import { LOCALES_DIR, PACKAGE_ROOT } from "./paths.js";
import { startSlack } from "./slack/run.js";
import { type OpenedDatabase, openDatabase } from "./store/client.js";
import { createSurveyStore } from "./store/survey-store.js";
import { ensureSampleStudy } from "./studies/bootstrap.js";
import { startTelegram } from "./telegram/run.js";

/** What every long-running service shares. */
export interface AppContext {
  config: Config;
  logger: Logger;
  database: OpenedDatabase;
  i18n: I18n;
  engine: Engine;
}

/** A started service (a bot, a worker) that stops gracefully: no new input, in-flight work finished. */
export interface RunningService {
  name: string;
  stop(): Promise<void>;
}

function readEnvironment(): Record<string, string | undefined> {
  const envFile = path.resolve(".env");
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env;
}

/** What the entry point starts besides the terminal pilot. */
interface StartedServices {
  services: RunningService[];
  /** Settles once Slack and the broadcasts run (or failed to start); Telegram may still be retrying. */
  started: Promise<void>;
  /** Rejects with the first refusal to start (e.g. Telegram refused the token); never resolves. */
  failed: Promise<never>;
}

function startServices(app: AppContext): StartedServices {
  const services: RunningService[] = [];
  const ready: Promise<void>[] = [];
  // Telegram starts in the background: an unreachable Bot API is retried without holding Slack or broadcasts back.
  if (app.config.TELEGRAM_BOT_TOKEN) {
    const telegram = startTelegram(app.config, app);
    services.push(telegram);
    ready.push(telegram.ready);
  }
  const started = (async () => {
    if (app.config.SLACK_BOT_TOKEN) services.push(await startSlack(app.config, app));
    // Resumes broadcasts left pending (a crash, a kill -9, a `send --no-wait`), then polls for new ones.
    const broadcasts = resumePendingBroadcasts(app);
    if (broadcasts) services.push(broadcasts);
    app.logger.info({ services: services.map((service) => service.name), pid: process.pid }, "chorus started");
  })();
  const failed = Promise.all([started, ...ready]).then(() => new Promise<never>(() => undefined));
  return { services, started: started.catch(() => undefined), failed };
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

async function main(shutdown: AbortSignal): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const pilot = !config.TELEGRAM_BOT_TOKEN && !config.SLACK_BOT_TOKEN;
  // The pilot owns the terminal: only warnings and errors are logged there.
  const logger = createLogger(pilot && config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL);

  let database: OpenedDatabase;
  try {
    database = openDatabase(config.DATABASE_PATH);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }

  const i18n = createI18n({ localesDir: LOCALES_DIR, fallbackLocale: config.DEFAULT_LOCALE });
  const store = createSurveyStore(database);
  const engine = createEngine({
    store,
    clock: { now: () => new Date() },
    random: Math.random,
    newParticipantId: randomUUID,
    locales: i18n.locales,
    detectLanguage: await createLanguageDetector(),
    matchPlace: createPlaceMatcher(),
  });
  const app: AppContext = { config, logger, database, i18n, engine };

  if (pilot) {
    const imported = ensureSampleStudy(database, path.resolve(PACKAGE_ROOT, config.SAMPLE_STUDY_FILE));
    if (imported.imported) {
      process.stdout.write(
        `Imported and published the sample study "${imported.studyId}" into ${config.DATABASE_PATH}.\n\n`,
      );
    }
    await runPilot({
      engine,
      i18n,
      input: process.stdin,
      output: process.stdout,
      userId: config.CONSOLE_USER ?? os.userInfo().username,
      suggestedLocale: (process.env.LANG ?? "").split(/[_.]/)[0] || undefined,
      signal: shutdown,
      logger,
    });
    database.close();
    return 0;
  }

  const { services, started, failed } = startServices(app);
  let code = 0;
  try {
    await Promise.race([aborted(shutdown), failed]);
    logger.info("shutting down: finishing updates in flight");
  } catch (error) {
    // A service that cannot start at all (Telegram refused the token or the webhook URL): one line, exit 1.
    console.error(error instanceof Error ? error.message : String(error));
    code = 1;
  }
  // A service still starting is stopped once it runs (Telegram's retries are aborted by its stop).
  await started;
  for (const service of [...services].reverse()) await service.stop();
  database.close();
  return code;
}

/**
 * Signals: the first SIGINT/SIGTERM stops gracefully (no new input, work in
 * flight finished, database closed); a second one exits at once.
 */
const shutdown = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (shutdown.signal.aborted) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    shutdown.abort(signal);
  });
}

main(shutdown.signal).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
