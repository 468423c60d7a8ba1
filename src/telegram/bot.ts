import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, HttpError, type Transformer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Engine } from "../core/engine-types.js";
import { createInputBatcher } from "../core/input-batcher.js";
import type { I18n } from "../i18n/index.js";
import type { Logger } from "../logger.js";
import { sleep } from "../sleep.js";
import type { StaffChat } from "../staff/chat.js";
import type { ChorusContext } from "./context.js";
import type { FeatureDeps, TelegramStore } from "./deps.js";
import { errorFields } from "./errors.js";
import { chatMemberFeature } from "./features/chat-member.js";
import { createErrorBoundary } from "./features/error-boundary.js";
import { staffBroadcastFeature } from "./features/staff-broadcast.js";
import { statsFeature } from "./features/stats.js";
import { surveyFeature } from "./features/survey.js";
import { viewerPagesFeature } from "./features/viewer-pages.js";
import { InFlight } from "./in-flight.js";
import { LocaleMemory } from "./locale.js";
import { MessageMemory } from "./message-memory.js";
import { cachedRender } from "./text-cache.js";

export interface RetryLimits {
  /** Retries of one API call after a 429 or a 5xx (auto-retry's maxRetryAttempts). */
  maxRetryAttempts: number;
  /** A 429 asking to wait longer than this fails the call instead (auto-retry's maxDelaySeconds). */
  maxDelaySeconds: number;
  /** Retries of one API call after a network error, one second apart. */
  networkRetries: number;
}

const DEFAULT_RETRY_LIMITS: RetryLimits = { maxRetryAttempts: 3, maxDelaySeconds: 30, networkRetries: 2 };

export interface TelegramBotDeps {
  token: string;
  /** A self-hosted Bot API server (or a test's fake); Telegram's by default. */
  apiRoot?: string;
  engine: Engine;
  i18n: I18n;
  logger: Logger;
  store: TelegramStore;
  /** Tracks updates in flight for a graceful stop; run.ts passes its own. */
  inFlight?: InFlight;
  retry?: Partial<RetryLimits>;
  /** Known bot identity (skips getMe at start, e.g. in benchmarks). */
  botInfo?: UserFromGetMe;
  /** Staff commands in chat: /broadcast (and an audited /stats); see src/staff/chat.ts. */
  staffChat?: StaffChat;
  now?: () => Date;
}

/**
 * The Telegram bot: features mounted in order, here and only here.
 *
 * 1. in-flight tracking (graceful stop waits for these)
 * 2. a child logger per update (update id only)
 * 3. sequentialize per user, so one participant's updates run in order
 * 4. error boundary around every feature:
 *    my_chat_member → /stats → card pages → the survey
 */
export function createTelegramBot(deps: TelegramBotDeps): Bot<ChorusContext> {
  const bot = new Bot<ChorusContext>(deps.token, {
    ...(deps.apiRoot ? { client: { apiRoot: deps.apiRoot } } : {}),
    ...(deps.botInfo ? { botInfo: deps.botInfo } : {}),
  });
  const limits = { ...DEFAULT_RETRY_LIMITS, ...deps.retry };
  bot.api.config.use(retryNetworkErrors(limits.networkRetries));
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: limits.maxRetryAttempts,
      maxDelaySeconds: limits.maxDelaySeconds,
      // auto-retry would retry network errors forever; retryNetworkErrors bounds them.
      rethrowHttpErrors: true,
    }),
  );

  const featureDeps: FeatureDeps = {
    // The runner hands updates of many chats at once; their inputs commit together .
    inputs: createInputBatcher(deps.engine, { defer: setImmediate }),
    i18n: deps.i18n,
    render: cachedRender(deps.i18n),
    store: deps.store,
    memory: new MessageMemory(),
    locales: new LocaleMemory(deps.i18n),
    now: deps.now ?? (() => new Date()),
    ...(deps.staffChat ? { staffChat: deps.staffChat } : {}),
  };
  const inFlight = deps.inFlight ?? new InFlight();

  bot.use(inFlight.middleware);
  bot.use((ctx, next) => {
    ctx.log = deps.logger.child({ update_id: ctx.update.update_id });
    ctx.callbackAnswered = false;
    return next();
  });
  bot.use(sequentialize<ChorusContext>((ctx) => (ctx.from ? String(ctx.from.id) : undefined)));
  bot.errorBoundary(
    createErrorBoundary(featureDeps),
    chatMemberFeature(featureDeps),
    statsFeature(featureDeps),
    ...(deps.staffChat ? [staffBroadcastFeature(featureDeps, deps.staffChat)] : []),
    viewerPagesFeature(featureDeps),
    surveyFeature(featureDeps),
  );
  // Last resort: only reached if the error boundary itself throws.
  bot.catch(({ error, ctx }) => {
    deps.logger.error({ update_id: ctx.update.update_id, err: errorFields(error) }, "error handler failed");
  });
  return bot;
}

/** Retries an API call after a network error a bounded number of times, one second apart. */
function retryNetworkErrors(retries: number): Transformer {
  return async (prev, method, payload, signal) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (error) {
        if (!(error instanceof HttpError) || attempt >= retries || signal?.aborted) throw error;
        // grammY types the signal with the abort-controller polyfill; under Node it is the built-in one.
        await sleep(1000, signal as AbortSignal | undefined);
      }
    }
  };
}
