import { Writable } from "node:stream";
import type { Bot } from "grammy";
import type { Message, Update } from "grammy/types";
import { afterEach } from "vitest";
import { createEngine } from "../../src/core/engine.js";
import { READ_CHOICE_PREFIX } from "../../src/core/flow/prompts.js";
import type { Study } from "../../src/core/study/schema.js";
import { createI18n, type I18n } from "../../src/i18n/index.js";
import { createPlaceMatcher } from "../../src/i18n/places.js";
import { createLogger } from "../../src/logger.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { createStaffChat } from "../../src/staff/chat.js";
import { importStudy, publishStudy } from "../../src/store/study-repository.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTelegramBot, type RetryLimits } from "../../src/telegram/bot.js";
import { unpackCallbackData } from "../../src/telegram/callback-data.js";
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

interface HarnessOptions {
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

  /** Sends a photo, sticker, voice note… (`media`), with an optional caption. */
  async sendMedia(media: Partial<Message>, caption?: string): Promise<Update> {
    const update = this.harness.server.userMedia(this.profile, media, caption);
    await this.harness.handled(update.update_id);
    return update;
  }

  /** Edits a message this user sent (Telegram's edited_message). */
  async edit(messageId: number, text: string): Promise<Update> {
    const update = this.harness.server.userEdit(this.profile, messageId, text);
    await this.harness.handled(update.update_id);
    return update;
  }

  /** The bot's message with this id, as it stands now. */
  message(messageId: number): ChatMessage {
    const found = this.botMessages.find((message) => message.messageId === messageId);
    if (!found) throw new Error(`user ${this.id}: no bot message ${messageId}`);
    return found;
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

interface WalkOptions {
  source?: string;
  /** Display letters in order; "=X" ties X with the previous one (the last one is placed by itself). */
  ranking?: string[];
  rationale?: string;
  /** Called before each action, so tests can interleave users or inject faults. */
  beforeEach?: (step: number) => Promise<void> | void;
  /** Stops the walk (before acting) when this returns true. */
  until?: (user: TestUser) => boolean;
}

/** Button labels of the card's read row ("📄 B", the open one "📖 A"). */
const READ_BUTTON = /^(📄|📖) [A-D]$/;

/**
 * Takes a participant of the mini study through the whole survey the way a
 * person would: ranking on the scenario card by buttons, typing each reason
 * and pressing Done. Returns the number of actions taken.
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
    const labels = (last.keyboard?.flat() ?? [])
      .map((button) => button.text)
      .filter((label) => !READ_BUTTON.test(label));
    if (/completion code/.test(last.text)) return step;
    if (labels.includes("✓ Confirm")) {
      await act(() => user.press("✓ Confirm"));
    } else if (labels.includes("✓ Done")) {
      await act(() => user.press("✓ Done"));
    } else if (labels.includes("None of them")) {
      await act(() => user.press("None of them"));
    } else if (labels.some((label) => /^[A-D]$/.test(label))) {
      const placed = (last.text.match(/So far: ([A-D =>]+)\./)?.[1] ?? "").replace(/[ =>]/g, "").length;
      const pick = ranking[placed] as string;
      await act(() => user.press(pick.startsWith("=") ? `= ${pick.slice(1)}` : pick));
    } else if (labels.length === 0 || labels.every((label) => label === "◀ Back")) {
      // The card asks for the reason: typed, then Done.
      await act(() => user.send(rationale));
    } else {
      if (stopped) return step;
      throw new Error(`walk stuck at: ${last.text.slice(-300)} / ${JSON.stringify(labels)}`);
    }
  }
  if (stopped) return step;
  throw new Error("walk did not finish");
}

/** Choice ids a sensible participant takes whenever they are offered (see bench/simulated-participant.ts). */
const PREFERRED_CHOICES = ["en", "yes", "go", "ok", "done", "none"];

interface StudyWalkOptions {
  source?: string;
  rationale?: string;
  /** Opens every response the card offers (a paged card's read buttons, but the open one) before answering. */
  readAll?: boolean;
  /** Wraps each action (a button press or a typed message), e.g. to count what it costs. */
  around?: (kind: "press" | "send", act: () => Promise<unknown>) => Promise<unknown>;
}

/**
 * Takes a participant through any study by the buttons' choice ids, as
 * bench/simulated-participant.ts does with the engine: English, consent, the
 * correct screening option, the first profile option, then on each card the
 * responses ranked in display order (the last one placed by itself), a typed
 * reason and Done, and no response unacceptable.
 */
export async function walkStudy(user: TestUser, study: Study, options: StudyWalkOptions = {}): Promise<void> {
  const rationale = options.rationale ?? "It answers the question clearly and safely.";
  const around = options.around ?? ((_kind, act) => act());
  const read = new Set<string>();
  await around("send", () => user.start(options.source));
  for (let guard = 0; guard < 500; guard++) {
    const last = user.lastBotMessage;
    if (study.completionCode && last.text.includes(study.completionCode)) return;
    const choices = (last.keyboard?.flat() ?? []).flatMap((button) => {
      const action = unpackCallbackData(button.callback_data);
      return action?.kind === "choice" ? [{ data: button.callback_data, id: action.choice, label: button.text }] : [];
    });
    const press = (data: string) => around("press", () => user.pressData(last.messageId, data));
    // The open response (📖) counts as read.
    for (const choice of choices) if (choice.label.startsWith("📖")) read.add(choice.id);
    const unread = options.readAll
      ? choices.find((choice) => choice.id.startsWith(READ_CHOICE_PREFIX) && !read.has(choice.id))
      : undefined;
    if (unread) {
      read.add(unread.id);
      await press(unread.data);
      continue;
    }
    const answers = choices.filter((choice) => !choice.id.startsWith(READ_CHOICE_PREFIX));
    const ids = answers.map((choice) => choice.id);
    const correct = study.screening.map((question) => question.correct).find((id) => ids.includes(id));
    const pick =
      PREFERRED_CHOICES.find((id) => ids.includes(id)) ??
      correct ??
      ids.find((id) => id.startsWith("p:")) ??
      ids.find((id) => id !== "back");
    const chosen = answers.find((choice) => choice.id === pick);
    if (chosen) await press(chosen.data);
    // The card asks for the reason: typed, then Done.
    else await around("send", () => user.send(rationale));
  }
  throw new Error(`walk did not finish: ${user.lastBotMessage.text.slice(-300)}`);
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
