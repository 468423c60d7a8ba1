import { Writable } from "node:stream";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import { afterEach } from "vitest";
import { createEngine } from "../../src/core/engine.js";
import type { Study } from "../../src/core/study/schema.js";
import { createI18n, type I18n } from "../../src/i18n/index.js";
import { createPlaceMatcher } from "../../src/i18n/places.js";
import { createLogger } from "../../src/logger.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { createStaffChat } from "../../src/staff/chat.js";
import { importStudy, publishStudy } from "../../src/store/study-repository.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTelegramBot, type RetryLimits } from "../../src/telegram/bot.js";
import type { ChorusContext } from "../../src/telegram/context.js";
import { InFlight } from "../../src/telegram/in-flight.js";
import { type RunningTelegram, runTelegram, type TelegramMode } from "../../src/telegram/run.js";
import { createTelegramStore } from "../../src/telegram/store.js";
import { createTestDatabase, loadMiniStudy, type TestDatabase } from "./db.js";
import {
  type ChatMessage,
  type FakeTelegramServer,
  type FakeUser,
  startFakeTelegramServer,
} from "./fake-telegram-server.js";

/**
 * The whole Telegram stack on loopback: a fresh migrated database with a
 * published study, the real engine and bot, and the fake Bot API server.
 * `user(id)` gives a driver that acts like a person in a private chat and
 * waits until the bot has finished with each of their updates.
 */
export interface TelegramHarness {
  db: TestDatabase;
  server: FakeTelegramServer;
  bot: Bot<ChorusContext>;
  i18n: I18n;
  study: Study;
  running: RunningTelegram;
  user(id: number, options?: { languageCode?: string; firstName?: string }): TestUser;
  /** Resolves when the update with this id has been handled completely (`times` times, for redeliveries). */
  handled(updateId: number, times?: number): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  study?: Study;
  mode?: TelegramMode;
  retry?: Partial<RetryLimits>;
  /** A fixed clock makes timestamps predictable. */
  now?: () => Date;
  /** Collects the bot's log lines (JSON), at debug level; silent otherwise. */
  logLines?: string[];
}

export async function startTelegramHarness(options: HarnessOptions = {}): Promise<TelegramHarness> {
  const db = createTestDatabase();
  const study = options.study ?? loadMiniStudy();
  importStudy(db.db, study, { at: "2026-01-01T00:00:00.000Z" });
  publishStudy(db.db, study.id, "2026-01-01T00:00:00.000Z");
  const server = await startFakeTelegramServer();
  const i18n = createI18n({ localesDir: LOCALES_DIR });
  let seed = 7;
  let participants = 0;
  const engine = createEngine({
    store: createSurveyStore(db),
    clock: { now: options.now ?? (() => new Date()) },
    random: () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    },
    newParticipantId: () => `p-${++participants}`,
    locales: i18n.locales,
    matchPlace: createPlaceMatcher(),
  });
  const inFlight = new InFlight();
  const lines = options.logLines;
  const logger = lines
    ? createLogger("debug", new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }))
    : createLogger("silent");
  const bot = createTelegramBot({
    token: server.token,
    apiRoot: server.apiRoot,
    engine,
    i18n,
    logger,
    store: createTelegramStore(db),
    staffChat: createStaffChat({ sqlite: db.sqlite, i18n }),
    inFlight,
    retry: { maxRetryAttempts: 3, maxDelaySeconds: 5, networkRetries: 1, ...options.retry },
  });
  const handled = trackHandledUpdates(bot);
  const mode = options.mode ?? { kind: "polling", timeoutSeconds: 2 };
  const running = await runTelegram(bot, { inFlight, i18n, logger, mode });
  const harness: TelegramHarness = {
    db,
    server,
    bot,
    i18n,
    study,
    running,
    handled,
    user: (id, userOptions = {}) =>
      new TestUser(harness, {
        id,
        firstName: userOptions.firstName ?? `User${id}`,
        ...(userOptions.languageCode !== undefined ? { languageCode: userOptions.languageCode } : {}),
      }),
    async close() {
      await running.stop();
      await server.close();
      db.cleanup();
    },
  };
  return harness;
}

/**
 * Wraps bot.handleUpdate (what both the runner and the webhook server call)
 * so a test can wait for one update to be completely handled.
 */
export function trackHandledUpdates(bot: Bot<ChorusContext>): (updateId: number, times?: number) => Promise<void> {
  const counts = new Map<number, number>();
  const waiting = new Set<() => void>();
  const original = bot.handleUpdate.bind(bot);
  bot.handleUpdate = async (update, envelope) => {
    try {
      return await original(update, envelope);
    } finally {
      counts.set(update.update_id, (counts.get(update.update_id) ?? 0) + 1);
      for (const check of [...waiting]) check();
    }
  };
  return (updateId, times = 1) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(check);
        reject(new Error(`update ${updateId} was not handled ${times} time(s) within 15 s`));
      }, 15_000);
      function check() {
        if ((counts.get(updateId) ?? 0) < times) return;
        clearTimeout(timer);
        waiting.delete(check);
        resolve();
      }
      waiting.add(check);
      check();
    });
}

/** A person in a private chat with the bot. Every action waits until the bot is done with it. */
export class TestUser {
  constructor(
    private readonly harness: TelegramHarness,
    readonly profile: FakeUser,
  ) {}

  get id(): number {
    return this.profile.id;
  }

  /** Every message in the chat, the user's and the bot's, oldest first. */
  get chat(): ChatMessage[] {
    return this.harness.server.chat(this.id);
  }

  /** The bot's messages, oldest first. */
  get botMessages(): ChatMessage[] {
    return this.chat.filter((message) => message.from === "bot");
  }

  get lastBotMessage(): ChatMessage {
    const last = this.botMessages.at(-1);
    if (!last) throw new Error(`user ${this.id} got no message yet`);
    return last;
  }

  /** Sends `/start <payload>` (a deep link) or `/start`. */
  start(payload?: string): Promise<Update> {
    return this.send(payload ? `/start ${payload}` : "/start");
  }

  /** Types a message (or a /command). */
  async send(text: string): Promise<Update> {
    const update = this.harness.server.userMessage(this.profile, text);
    await this.harness.handled(update.update_id);
    return update;
  }

  /** Presses the button labelled `label` on the newest bot message that has one. */
  async press(label: string | RegExp): Promise<Update> {
    const { message, button } = this.findButton(label);
    return this.pressData(message.messageId, button.callback_data);
  }

  /** Presses a button by its raw callback data on a given message (e.g. an old one). */
  async pressData(messageId: number, data: string): Promise<Update> {
    const update = this.harness.server.buttonPress(this.profile, messageId, data);
    await this.harness.handled(update.update_id);
    return update;
  }

  findButton(label: string | RegExp): { message: ChatMessage; button: { text: string; callback_data: string } } {
    const matches = (text: string) => (typeof label === "string" ? text === label : label.test(text));
    for (const message of [...this.botMessages].reverse()) {
      for (const row of message.keyboard ?? []) {
        const button = row.find((candidate) => matches(candidate.text));
        if (button) return { message, button };
      }
    }
    const labels = this.botMessages
      .at(-1)
      ?.keyboard?.flat()
      .map((button) => button.text);
    throw new Error(`user ${this.id}: no button ${String(label)}; the last message offers ${JSON.stringify(labels)}`);
  }

  /** This user's participant row (undefined before first contact or after withdrawal). */
  participant():
    | { id: string; source: string | null; status: string; locale: string; consent_version: string | null }
    | undefined {
    return this.harness.db.sqlite
      .prepare<
        [string],
        { id: string; source: string | null; status: string; locale: string; consent_version: string | null }
      >(
        `SELECT id, source, status, locale, consent_version FROM participants
         WHERE platform = 'telegram' AND platform_user_id = ?`,
      )
      .get(String(this.id));
  }

  /** Button labels of the newest bot message with a keyboard. */
  buttons(): string[] {
    const message = [...this.botMessages].reverse().find((candidate) => candidate.keyboard);
    return message?.keyboard?.flat().map((button) => button.text) ?? [];
  }
}

export interface WalkOptions {
  source?: string;
  /** Display letters in order; "=X" ties X with the previous one. */
  ranking?: string[];
  rationale?: string;
  /** Called before each action, so tests can interleave users or inject faults. */
  beforeEach?: (step: number) => Promise<void> | void;
  /** Stops the walk (before acting) when this returns true. */
  until?: (user: TestUser) => boolean;
}

/**
 * Takes a participant of the mini study through the whole survey the way a
 * person would: reading every response in the viewer, ranking by buttons,
 * typing rationales. Returns the number of actions taken.
 */
export async function walkThroughSurvey(user: TestUser, options: WalkOptions = {}): Promise<number> {
  const ranking = options.ranking ?? ["B", "=A", "D", "C"];
  const rationale = options.rationale ?? "The second one is careful and honest, the others are not.";
  let stopped = false;
  const actions: (() => Promise<unknown>)[] = [
    () => user.start(options.source),
    () => user.press("English"),
    () => user.press("I agree"),
    () => user.press("hot"),
    () => user.press("18–29"),
    () => user.press("United States"),
    () => user.press("Start"),
  ];
  let step = 0;
  const act = async (action: () => Promise<unknown>) => {
    if (stopped || options.until?.(user)) {
      stopped = true;
      return;
    }
    await options.beforeEach?.(step++);
    await action();
  };
  for (const action of actions) await act(action);
  for (let guard = 0; guard < 200 && !stopped; guard++) {
    const last = user.lastBotMessage;
    const labels = user.buttons();
    if (/completion code/.test(last.text)) return step;
    if (last.forceReply) {
      await act(() => user.send(rationale));
    } else if (labels.includes("Rank them")) {
      await act(() => user.press("Rank them"));
    } else if (labels.includes("Next ▶")) {
      await act(() => user.press("Next ▶"));
    } else if (labels.includes("Yes, that's right")) {
      await act(() => user.press("Yes, that's right"));
    } else if (labels.includes("None of them")) {
      await act(() => user.press("None of them"));
    } else if (labels.some((label) => /^[A-D]$/.test(label))) {
      const placed = (last.text.match(/So far: ([A-D =>]+)\./)?.[1] ?? "").replace(/[ =>]/g, "").length;
      const pick = ranking[placed] as string;
      await act(() => user.press(pick.startsWith("=") ? `= ${pick.slice(1)}` : pick));
    } else {
      if (stopped) return step;
      throw new Error(`walk stuck at: ${last.text.slice(0, 200)} / ${JSON.stringify(labels)}`);
    }
  }
  if (stopped) return step;
  throw new Error("walk did not finish");
}

/** For a test file: a function starting a harness that is closed after each test. */
export function useTelegramHarness(): (options?: HarnessOptions) => Promise<TelegramHarness> {
  const started: TelegramHarness[] = [];
  afterEach(async () => {
    for (const harness of started.splice(0)) await harness.close();
  });
  return async (options) => {
    const harness = await startTelegramHarness(options);
    started.push(harness);
    return harness;
  };
}
