import type { Config } from "../config.js";
import type { Platform } from "../core/ports.js";
import type { I18n } from "../i18n/index.js";
import type { Logger } from "../logger.js";
import { packChoice } from "../slack/ids.js";
import type { OpenedDatabase } from "../store/client.js";
import { encodeChoice } from "../telegram/callback-data.js";
import { createSlackSender } from "./senders/slack.js";
import { createTelegramSender } from "./senders/telegram.js";
import type { BroadcastSender } from "./senders/types.js";
import { type BroadcastService, startBroadcastService } from "./service.js";
import type { BroadcastWorkerDeps, PlatformPacing } from "./worker.js";

/**
 * Broadcast senders for the platforms with credentials in `config`, each
 * with its own API client (never the interactive bot's). Buttons are packed
 * exactly as the adapters pack a survey choice, so a press reaches the engine
 * like any other answer.
 */
export function broadcastSenders(config: Config): Partial<Record<Platform, BroadcastSender>> {
  const senders: Partial<Record<Platform, BroadcastSender>> = {};
  if (config.TELEGRAM_BOT_TOKEN) {
    senders.telegram = createTelegramSender({
      token: config.TELEGRAM_BOT_TOKEN,
      ...(config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {}),
      encodeChoice,
    });
  }
  if (config.SLACK_BOT_TOKEN) {
    senders.slack = createSlackSender({
      token: config.SLACK_BOT_TOKEN,
      ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
      opensPerMinute: config.BROADCAST_SLACK_OPENS_PER_MINUTE,
      encodeChoice: (step, choice) => ({ actionId: packChoice(step, choice), value: choice }),
    });
  }
  return senders;
}

function broadcastPacing(config: Config): Partial<Record<Platform, PlatformPacing>> {
  return {
    telegram: {
      ratePerSecond: config.BROADCAST_TELEGRAM_RATE,
      perKeyIntervalMs: 1000 / config.BROADCAST_TELEGRAM_PER_CHAT_RATE,
    },
    slack: {
      ratePerSecond: config.BROADCAST_SLACK_RATE,
      perKeyIntervalMs: 1000 / config.BROADCAST_SLACK_PER_CHANNEL_RATE,
    },
  };
}

/** Worker settings from config; the caller adds the database, i18n, senders and logger. */
export function workerSettings(config: Config): Pick<BroadcastWorkerDeps, "pacing" | "maxAttempts" | "maxInFlight"> {
  return {
    pacing: broadcastPacing(config),
    maxAttempts: config.BROADCAST_MAX_ATTEMPTS,
    maxInFlight: config.BROADCAST_MAX_IN_FLIGHT,
  };
}

/**
 * For `npm start` (src/main.ts): the broadcast service of this process, which
 * at once resumes the pending deliveries of broadcasts being sent (after a
 * crash or a `kill -9` too: deliveries marked sent are never sent again), then
 * keeps polling for new ones. Undefined when no platform has credentials.
 */
export function resumePendingBroadcasts(deps: {
  config: Config;
  database: Pick<OpenedDatabase, "sqlite">;
  i18n: I18n;
  logger: Logger;
}): BroadcastService | undefined {
  const senders = broadcastSenders(deps.config);
  if (Object.keys(senders).length === 0) return undefined;
  return startBroadcastService(
    {
      sqlite: deps.database.sqlite,
      i18n: deps.i18n,
      senders,
      logger: deps.logger.child({ service: "broadcasts" }),
      ...workerSettings(deps.config),
    },
    { pollMs: deps.config.BROADCAST_POLL_SECONDS * 1000 },
  );
}
