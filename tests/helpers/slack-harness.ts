import { createHmac } from "node:crypto";
import { Writable } from "node:stream";
import type Database from "better-sqlite3";
import { expect } from "vitest";
import { createEngine } from "../../src/core/engine.js";
import { displayToCanonical, LABELS, type Label } from "../../src/core/labels.js";
import { displayRankingToCanonical, formatRanking, parseRanking } from "../../src/core/ranking.js";
import type { Study } from "../../src/core/study/schema.js";
import { createI18n, type I18n } from "../../src/i18n/index.js";
import { createPlaceMatcher } from "../../src/i18n/places.js";
import { createLogger } from "../../src/logger.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { createSlackApp, SLACK_EVENTS_PATH, type SlackApp } from "../../src/slack/app.js";
import { createSlackStaff } from "../../src/slack/store.js";
import { createStaffChat } from "../../src/staff/chat.js";
import { type OpenedDatabase, openDatabase } from "../../src/store/client.js";
import { importStudy, publishStudy } from "../../src/store/study-repository.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTestDatabase, loadMiniStudy } from "./db.js";
import { type Block, type FakeSlackServer, type StoredMessage, startFakeSlackServer } from "./fake-slack-server.js";

/**
 * The whole Slack stack on loopback: a migrated database with a published
 * study, the real engine, the real Bolt app behind its HTTP receiver on
 * 127.0.0.1, and the fake Web API. Requests are signed like Slack signs them
 * (v0 HMAC-SHA256 of "v0:timestamp:body"); every helper waits until the app
 * has finished with the request.
 */
export interface SlackHarness {
  database: OpenedDatabase;
  fake: FakeSlackServer;
  slack: SlackApp;
  i18n: I18n;
  study: Study;
  signingSecret: string;
  eventsUrl: string;
  /** Log lines written by the app (JSON), to check that no participant text is logged. */
  logLines: string[];
  user(userId: string): SlackTestUser;
  /** Posts a raw body with the given headers (signature tests). */
  post(body: string, headers: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

interface SlackHarnessOptions {
  /** Open this database file (shared with another process) instead of a fresh one. */
  databasePath?: string;
  /** Import and publish the mini study (default: true for a fresh database). */
  seedStudy?: boolean;
  locales?: Record<string, string>;
  /** Participant ids are `${idPrefix}${n}`. */
  idPrefix?: string;
  /** The study to import (default: the mini study). */
  study?: Study;
  /** How the app waits out a 429's Retry-After (default: really waits). */
  rateLimitWait?: (seconds: number) => Promise<void>;
  /** The engine's clock (default: the system's). */
  now?: () => Date;
  /** Talk to this fake Web API (another app's: a second process, a restart) instead of a new one; not closed. */
  fake?: FakeSlackServer;
}

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

export function signSlackRequest(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex");
  return { "x-slack-signature": `v0=${signature}`, "x-slack-request-timestamp": String(timestamp) };
}

export async function startSlackHarness(options: SlackHarnessOptions = {}): Promise<SlackHarness> {
  const fresh = options.databasePath === undefined;
  const testDb = fresh ? createTestDatabase() : undefined;
  const database = testDb ?? openDatabase(options.databasePath as string);
  const study = options.study ?? loadMiniStudy();
  if (options.seedStudy ?? fresh) {
    importStudy(database.db, study, { at: "2026-01-01T00:00:00.000Z" });
    publishStudy(database.db, study.id, "2026-01-01T00:00:00.000Z");
  }
  const fake = options.fake ?? (await startFakeSlackServer({ locales: options.locales ?? {} }));
  const i18n = createI18n({ localesDir: LOCALES_DIR });
  const store = createSurveyStore(database);
  let seed = 11;
  let participants = 0;
  const engine = createEngine({
    store,
    clock: { now: options.now ?? (() => new Date()) },
    random: () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    },
    newParticipantId: () => `${options.idPrefix ?? "s-"}${++participants}`,
    locales: i18n.locales,
    matchPlace: createPlaceMatcher(),
  });
  const logLines: string[] = [];
  const logger = createLogger(
    "debug",
    new Writable({ write: (chunk, _encoding, done) => done(void logLines.push(String(chunk))) }),
  );
  const slack = createSlackApp({
    botToken: "xoxb-test-token",
    signingSecret: SIGNING_SECRET,
    mode: "http",
    port: 0,
    host: "127.0.0.1",
    apiUrl: fake.apiUrl,
    retryConfig: { retries: 3, minTimeout: 10, maxTimeout: 50, factor: 2 },
    engine,
    i18n,
    logger,
    participants: store,
    staff: createSlackStaff(database),
    staffChat: createStaffChat({ sqlite: database.sqlite, i18n }),
    ...(options.rateLimitWait ? { rateLimitWait: options.rateLimitWait } : {}),
  });
  const { port } = await slack.start();
  const eventsUrl = `http://127.0.0.1:${port}${SLACK_EVENTS_PATH}`;
  const harness: SlackHarness = {
    database,
    fake,
    slack,
    i18n,
    study,
    signingSecret: SIGNING_SECRET,
    eventsUrl,
    logLines,
    user: (userId) => new SlackTestUser(harness, userId),
    post: (body, headers) => fetch(eventsUrl, { method: "POST", headers, body }),
    async close() {
      await slack.stop();
      if (!options.fake) await fake.close();
      if (testDb) testDb.cleanup();
      else database.close();
    },
  };
  return harness;
}

let eventCounter = 0;
let triggerCounter = 0;

/** A fresh Events API event id, unique in this process. */
function nextEventId(): string {
  eventCounter += 1;
  return `Ev${process.pid}X${eventCounter}`;
}

interface SignedResult {
  status: number;
  body: string;
}

/** A person in the workspace, in their DM with the app. */
export class SlackTestUser {
  readonly dm: string;
  /** The trigger id of this user's latest button press (a modal opened for it carries it). */
  lastTriggerId: string | undefined;
  /** The event_id of this user's latest Events API callback. */
  lastEventId: string | undefined;

  constructor(
    private readonly harness: SlackHarness,
    readonly id: string,
  ) {
    this.dm = harness.fake.dmOf(id);
  }

  /** The app's messages in the DM, oldest first. */
  get messages(): StoredMessage[] {
    return this.harness.fake.messagesIn(this.dm);
  }

  get lastMessage(): StoredMessage {
    const last = this.messages.at(-1);
    if (!last) throw new Error(`${this.id}: no message in the DM yet`);
    return last;
  }

  /** Ephemeral notices shown to this user. */
  get notices(): string[] {
    return this.harness.fake.ephemerals.filter((notice) => notice.user === this.id).map((notice) => notice.text);
  }

  /**
   * Sends a signed request and waits until the app has finished with it
   * (`settle: false`: only until Slack would have its HTTP answer, the
   * listener may still be at work).
   */
  async signed(
    body: string,
    contentType: string,
    extraHeaders: Record<string, string> = {},
    options: { settle?: boolean } = {},
  ): Promise<SignedResult> {
    const response = await this.harness.post(body, {
      "content-type": contentType,
      ...signSlackRequest(this.harness.signingSecret, body),
      ...extraHeaders,
    });
    const text = await response.text();
    if (options.settle ?? true) await this.harness.slack.idle();
    return { status: response.status, body: text };
  }

  /** `/chorus start`: the explicit start (typing anything else makes nobody a participant). */
  start(): Promise<SignedResult> {
    return this.command("start");
  }

  /** An Events API callback; `retryNum` adds Slack's retry headers. */
  event(event: Record<string, unknown>, options: { eventId?: string; retryNum?: number } = {}): Promise<SignedResult> {
    this.lastEventId = options.eventId ?? nextEventId();
    const body = JSON.stringify({
      token: "verification-token",
      team_id: this.harness.fake.teamId,
      api_app_id: "A0CHORUS",
      type: "event_callback",
      event_id: this.lastEventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        {
          team_id: this.harness.fake.teamId,
          user_id: this.harness.fake.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      event,
    });
    const retry: Record<string, string> =
      options.retryNum !== undefined
        ? { "x-slack-retry-num": String(options.retryNum), "x-slack-retry-reason": "http_timeout" }
        : {};
    return this.signed(body, "application/json", retry);
  }

  openHome(): Promise<SignedResult> {
    return this.event({ type: "app_home_opened", user: this.id, channel: this.dm, tab: "home", event_ts: "1.1" });
  }

  /** Types a message in the DM. */
  type(text: string, options: { eventId?: string; retryNum?: number } = {}): Promise<SignedResult> {
    return this.event(
      {
        type: "message",
        channel: this.dm,
        channel_type: "im",
        user: this.id,
        text,
        ts: `${Date.now() / 1000}`,
        event_ts: `${Date.now() / 1000}`,
      },
      options,
    );
  }

  /** Shares a file in the DM (message subtype file_share), with `text` typed beside it if any. */
  shareFile(text = ""): Promise<SignedResult> {
    return this.event({
      type: "message",
      subtype: "file_share",
      channel: this.dm,
      channel_type: "im",
      user: this.id,
      text,
      files: [{ id: "F0PHOTO", name: "photo.jpg", mimetype: "image/jpeg" }],
      ts: `${Date.now() / 1000}`,
    });
  }

  /** Edits an earlier message of theirs in the DM (Slack sends message_changed). */
  edit(previous: string, text: string): Promise<SignedResult> {
    const ts = `${Date.now() / 1000}`;
    return this.event({
      type: "message",
      subtype: "message_changed",
      channel: this.dm,
      channel_type: "im",
      hidden: true,
      message: { type: "message", user: this.id, text, ts: "1.000001", edited: { user: this.id, ts } },
      previous_message: { type: "message", user: this.id, text: previous, ts: "1.000001" },
      event_ts: ts,
      ts,
    });
  }

  private interaction(payload: Record<string, unknown>, options: { settle?: boolean } = {}): Promise<SignedResult> {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.signed(body, "application/x-www-form-urlencoded", {}, options);
  }

  /** What every interaction payload carries: who, which app, which team. */
  private interactionBase() {
    const teamId = this.harness.fake.teamId;
    return {
      user: { id: this.id, username: this.id.toLowerCase(), name: this.id.toLowerCase(), team_id: teamId },
      api_app_id: "A0CHORUS",
      token: "verification-token",
      team: { id: teamId, domain: "chorus-test" },
    };
  }

  private actionPayload(action: Block, container: Record<string, unknown>, extra: Record<string, unknown>) {
    triggerCounter += 1;
    this.lastTriggerId = `${triggerCounter}.trigger`;
    return {
      type: "block_actions",
      ...this.interactionBase(),
      container,
      trigger_id: `${triggerCounter}.trigger`,
      response_url: this.harness.fake.responseUrl(`action-${triggerCounter}`),
      actions: [{ ...action, type: "button", block_id: action.block_id ?? "b", action_ts: `${Date.now() / 1000}` }],
      ...extra,
    };
  }

  /**
   * Presses a button of a stored DM message (the newest one offering it
   * unless `message` is given); `settle: false` resolves once the app
   * acknowledged, before its listener is done.
   */
  async pressButton(
    match: (button: Block) => boolean,
    message?: StoredMessage,
    options: { settle?: boolean } = {},
  ): Promise<SignedResult> {
    const found = message ? { message, button: findButton(message, match) } : this.findButton(match);
    if (!found.button) throw new Error(`${this.id}: no such button on that message`);
    const payload = this.actionPayload(
      found.button,
      { type: "message", message_ts: found.message.ts, channel_id: found.message.channel, is_ephemeral: false },
      {
        channel: {
          id: found.message.channel,
          name: found.message.channel === this.dm ? "directmessage" : "general",
        },
        message: this.harness.fake.asSlackMessage(found.message),
      },
    );
    return this.interaction(payload, options);
  }

  /** Presses the survey choice `choiceId` on the newest message offering it. */
  press(choiceId: string, message?: StoredMessage, options: { settle?: boolean } = {}): Promise<SignedResult> {
    return this.pressButton((button) => isChoice(button, choiceId), message, options);
  }

  /** The newest message that is a scenario card (live or not). */
  get card(): StoredMessage {
    const card = [...this.messages].reverse().find((message) => isCard(message));
    if (!card) throw new Error(`${this.id}: no card in the DM`);
    return card;
  }

  /** Presses "Answer in one form" on the card; resolves with the modal Slack opened. */
  async openForm(options: { settle?: boolean } = {}): Promise<Block> {
    await this.pressButton((button) => String(button.action_id).startsWith("chorus.form:"), undefined, options);
    const trigger = this.lastTriggerId;
    const call = await this.harness.fake.waitForCall(
      (candidate) => candidate.method === "views.open" && candidate.args.trigger_id === trigger,
    );
    const modal = this.harness.fake.modals.find((opened) => opened.triggerId === trigger);
    if (!modal) throw new Error(`${this.id}: views.open was refused: ${call.error}`);
    return modal.view;
  }

  /**
   * Submits the card form with what a person filled in, as Slack sends it:
   * every input block of the view in state.values, untouched ones empty.
   */
  submitForm(view: Block, answers: FormAnswers): Promise<SignedResult> {
    const values: Record<string, Record<string, Block>> = {};
    for (const block of (view.blocks ?? []) as Block[]) {
      if (block.type !== "input") continue;
      const element = block.element as Block;
      values[String(block.block_id)] = {
        [String(element.action_id)]: formValue(element, String(block.block_id), answers),
      };
    }
    return this.submitView(view, values);
  }

  private submitView(view: Block, values: Record<string, Record<string, Block>>): Promise<SignedResult> {
    return this.interaction({
      type: "view_submission",
      ...this.interactionBase(),
      trigger_id: "submit.trigger",
      view: {
        ...view,
        id: "VMODAL",
        team_id: this.harness.fake.teamId,
        state: { values },
        hash: "h",
        app_id: "A0CHORUS",
        bot_id: this.harness.fake.botId,
      },
      response_urls: [],
    });
  }

  /** Labels of the buttons on the newest message with buttons. */
  buttons(): string[] {
    const message = [...this.messages].reverse().find((candidate) => buttonsOf(candidate).length > 0);
    return message ? buttonsOf(message).map((button) => String(button.text?.text)) : [];
  }

  findButton(match: (button: Block) => boolean): { message: StoredMessage; button: Block } {
    for (const message of [...this.messages].reverse()) {
      const button = findButton(message, match);
      if (button) return { message, button };
    }
    throw new Error(`${this.id}: no matching button; the newest buttons are ${JSON.stringify(this.buttons())}`);
  }

  /** App Home's Start / Continue. */
  pressHome(): Promise<SignedResult> {
    const view = this.harness.fake.homes.get(this.id);
    const button = (view?.blocks as Block[] | undefined)
      ?.flatMap((block) => (block.type === "actions" ? (block.elements as Block[]) : []))
      .find((element) => element.action_id === "chorus.home_start");
    if (!view || !button) throw new Error(`${this.id}: no App Home with a Start button`);
    return this.interaction(
      this.actionPayload(button, { type: "view", view_id: "VHOME" }, { view: { ...view, id: "VHOME", type: "home" } }),
    );
  }

  /** Presses "Write your answer"; resolves with the modal Slack opened. */
  async openAnswerModal(): Promise<Block> {
    await this.pressButton((button) => String(button.action_id).startsWith("chorus.write:"));
    const modal = this.harness.fake.modals.find((opened) => opened.triggerId === this.lastTriggerId);
    if (!modal) throw new Error(`${this.id}: no modal opened`);
    return modal.view;
  }

  /** Submits a modal with text in its answer input; resolves with Bolt's HTTP answer. */
  submitModal(view: Block, text: string): Promise<SignedResult> {
    return this.submitView(view, { answer: { text: { type: "plain_text_input", value: text } } });
  }

  /** Writes an answer through the modal; resolves with the HTTP answer to the submission. */
  async writeAnswer(text: string): Promise<SignedResult> {
    return this.submitModal(await this.openAnswerModal(), text);
  }

  /** `/chorus <text>` typed in `channel` (default: the DM with the app). */
  command(text: string, channel = this.dm, options: { settle?: boolean } = {}): Promise<SignedResult> {
    triggerCounter += 1;
    const body = new URLSearchParams({
      token: "verification-token",
      team_id: this.harness.fake.teamId,
      team_domain: "chorus-test",
      channel_id: channel,
      channel_name: channel === this.dm ? "directmessage" : "general",
      user_id: this.id,
      user_name: this.id.toLowerCase(),
      command: "/chorus",
      text,
      api_app_id: "A0CHORUS",
      response_url: this.harness.fake.responseUrl(`command-${triggerCounter}`),
      trigger_id: `${triggerCounter}.trigger`,
    }).toString();
    return this.signed(body, "application/x-www-form-urlencoded", {}, options);
  }
}

/** What a person fills in on the card form: ranks 1–4 per display letter, reasons, ticks. */
export interface FormAnswers {
  world?: { ranks: Partial<Record<Label, number>>; reason: string };
  personal?: { ranks: Partial<Record<Label, number>>; reason: string };
  unacceptable?: Label[];
  unacceptableReason?: string;
  /** Prompt rating id → the option chosen. */
  ratings?: Record<string, string>;
}

/** One input's value in state.values, from the block id the form gave it (`world_rank_2`, `personal_rationale`…). */
function formValue(element: Block, blockId: string, answers: FormAnswers): Block {
  const rank = /^(world|personal)_rank_(\d)$/.exec(blockId);
  if (rank) {
    const label = LABELS[Number(rank[2])] as Label;
    const value = answers[rank[1] as "world" | "personal"]?.ranks[label];
    const option = (element.options as Block[]).find((candidate) => candidate.value === String(value));
    return { type: "radio_buttons", selected_option: option ?? null };
  }
  const reason = /^(world|personal)_rationale$/.exec(blockId);
  if (reason) return { type: "plain_text_input", value: answers[reason[1] as "world" | "personal"]?.reason || null };
  if (blockId === "unacceptable") {
    const ticked = answers.unacceptable ?? [];
    return {
      type: "checkboxes",
      selected_options: (element.options as Block[]).filter((option) => ticked.includes(option.value)),
    };
  }
  if (blockId === "unacceptable_rationale")
    return { type: "plain_text_input", value: answers.unacceptableReason || null };
  if (blockId.startsWith("rating_")) {
    const chosen = answers.ratings?.[blockId.slice("rating_".length)];
    const option = (element.options as Block[]).find((candidate) => candidate.value === chosen);
    return { type: "radio_buttons", selected_option: option ?? null };
  }
  throw new Error(`unknown form input ${blockId}`);
}

/** Whether a message is a scenario card (its question block carries the card's id). */
export function isCard(message: StoredMessage): boolean {
  return message.blocks.some((block) => String(block.block_id ?? "").startsWith("card:"));
}

function buttonsOf(message: StoredMessage): Block[] {
  return message.blocks.flatMap((block) => (block.type === "actions" ? (block.elements as Block[]) : []));
}

function findButton(message: StoredMessage, match: (button: Block) => boolean): Block | undefined {
  const button = buttonsOf(message).find(match);
  if (!button) return undefined;
  const block = message.blocks.find((candidate) => candidate.type === "actions" && candidate.elements.includes(button));
  return { ...button, block_id: block?.block_id };
}

function isChoice(button: Block, choiceId: string): boolean {
  return new RegExp(`^chorus\\.choice:\\d+:${choiceId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`).test(
    String(button.action_id),
  );
}

/** The text a participant reads in a message: every text object, in order. */
export function messageText(message: StoredMessage | Block): string {
  const parts: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      for (const [field, inner] of Object.entries(value)) {
        if (field === "text" && typeof inner === "string") parts.push(inner);
        else if (typeof inner === "object") visit(inner);
      }
    }
  };
  visit("blocks" in message ? message.blocks : message);
  return parts.join("\n");
}

interface SlackWalkOptions {
  /** Display letters in order; "=X" ties X with the previous one. */
  ranking?: string[];
  rationale?: string;
  /** Called before each action (fault injection, interleaving). */
  beforeEach?: (step: number) => Promise<void> | void;
  /** Skip App Home (start with `/chorus start` in the DM). */
  fromDm?: boolean;
  /** The country of residence option (the mini study's US quota cell takes two people). */
  country?: "US" | "MX";
}

/** From `/chorus start` to the first card of the mini study (long form), by its buttons. */
export async function toFirstCard(user: SlackTestUser): Promise<void> {
  await user.start();
  for (const choice of ["en", "yes", "hot", "18-29", "US", "go"]) await user.press(choice);
}

/** The presses that rank on a card: every letter but the last (placed by itself), the tie, then confirm. */
function rankingPresses(ranking: string[]): string[] {
  const presses = ranking.slice(0, -1).map((entry) => (entry.startsWith("=") ? `t:${entry.slice(1)}` : `p:${entry}`));
  if (ranking.at(-1)?.startsWith("=")) presses.push("tie_last");
  return [...presses, "ok"];
}

/**
 * Takes a participant of the mini study from App Home to completion the way
 * a person would, in the message flow: every response is on the card, the
 * rankings by the card's buttons, the reasons typed in the DM, then Done.
 */
export async function walkSlackSurvey(user: SlackTestUser, options: SlackWalkOptions = {}): Promise<number> {
  const ranking = options.ranking ?? ["B", "=A", "D", "C"];
  const rationale = options.rationale ?? "The second one is careful and honest, the others are not.";
  const rank = rankingPresses(ranking).map((choice) => () => user.press(choice));
  const reason = (text: string) => [() => user.type(text), () => user.press("done")];
  const actions: (() => Promise<unknown>)[] = [
    ...(options.fromDm ? [() => user.start()] : [() => user.openHome(), () => user.pressHome()]),
    () => user.press("en"),
    () => user.press("yes"),
    () => user.press("hot"),
    () => user.press("18-29"),
    () => user.press(options.country ?? "US"),
    () => user.press("go"),
    // Scenario 1, long form: world and personal blocks, then the unacceptable check.
    ...rank,
    ...reason(rationale),
    ...rank,
    ...reason(rationale),
    () => user.press("u:C"),
    () => user.press("done"),
    ...reason("It dismisses the question without any care."),
    // Scenario 2, short form: the world block only.
    ...rank,
    ...reason(rationale),
  ];
  let step = 0;
  for (const action of actions) {
    await options.beforeEach?.(step);
    await action();
    step += 1;
  }
  return step;
}

interface SessionRowsExpectation {
  platform: "slack" | "telegram";
  platformUserId: string;
  /** Display letters as walked, e.g. ["B", "=A", "D", "C"]. */
  ranking: string[];
  rationale: string;
  /** The personal-block rationale, when it differs. */
  personalRationale?: string;
  /** Display letters marked unacceptable in the long-form task (undefined: the short form was all). */
  unacceptable?: { display: string[]; rationale: string };
  locale?: string;
  country?: string;
}

function canonicalRanking(display: string[], shownOrder: string): string {
  const parsed = parseRanking(
    display.map((entry, index) => (index === 0 ? entry : entry.startsWith("=") ? entry : `>${entry}`)).join(""),
  );
  if (!parsed.ok) throw new Error(`bad ranking ${display.join(" ")}`);
  return formatRanking(displayRankingToCanonical(parsed.ranking, shownOrder));
}

/**
 * Checks every row a completed mini-study session leaves: the participant,
 * screening, profile, both assignments, both assessments with their ranking
 * blocks (canonical labels, via the stored shown order) and rationales, and
 * the saved state. Returns the participant id.
 */
export function expectCompletedSession(sqlite: Database.Database, expected: SessionRowsExpectation): string {
  const participant = sqlite
    .prepare<[string, string], Record<string, unknown>>(
      "SELECT * FROM participants WHERE platform = ? AND platform_user_id = ?",
    )
    .get(expected.platform, expected.platformUserId);
  expect(participant).toMatchObject({
    status: "completed",
    locale: expected.locale ?? "en",
    consent_version: "2026-01",
  });
  expect(participant?.consented_at).toBeTruthy();
  expect(participant?.admitted_at).toBeTruthy();
  const id = String(participant?.id);
  expect(
    sqlite.prepare("SELECT question_id, option_id, passed FROM screening_answers WHERE participant_id = ?").all(id),
  ).toEqual([{ question_id: "reading", option_id: "hot", passed: 1 }]);
  expect(
    sqlite
      .prepare("SELECT question_id, value FROM profile_answers WHERE participant_id = ? ORDER BY question_id")
      .all(id),
  ).toEqual([
    { question_id: "age_band", value: "18-29" },
    { question_id: "country_of_residence", value: expected.country ?? "US" },
  ]);
  const assignments = sqlite
    .prepare<
      [string],
      { id: number; position: number; shown_order: string; form: string; completed_at: string | null }
    >(
      "SELECT id, position, shown_order, form, completed_at FROM assignments WHERE participant_id = ? ORDER BY position",
    )
    .all(id);
  expect(assignments.map((a) => [a.position, a.form])).toEqual([
    [0, "long"],
    [1, "short"],
  ]);
  for (const assignment of assignments) {
    expect([...assignment.shown_order].sort().join("")).toBe("ABCD");
    expect(assignment.completed_at).toBeTruthy();
  }
  const assessments = sqlite
    .prepare<[string], Record<string, unknown> & { id: number; assignment_id: number }>(
      "SELECT * FROM assessments WHERE participant_id = ? ORDER BY id",
    )
    .all(id);
  expect(assessments).toHaveLength(2);
  assessments.forEach((assessment, index) => {
    const assignment = assignments[index];
    if (!assignment) throw new Error("assignment missing");
    expect(assessment.assignment_id).toBe(assignment.id);
    expect(assessment.locale).toBe(expected.locale ?? "en");
    const ranking = canonicalRanking(expected.ranking, assignment.shown_order);
    const blocks = sqlite
      .prepare("SELECT block, ranking, rationale FROM ranking_blocks WHERE assessment_id = ? ORDER BY block DESC")
      .all(assessment.id);
    if (assignment.form === "long") {
      expect(blocks).toEqual([
        { block: "world", ranking, rationale: expected.rationale },
        { block: "personal", ranking, rationale: expected.personalRationale ?? expected.rationale },
      ]);
      const marked = (expected.unacceptable?.display ?? []).map((label) =>
        displayToCanonical(assignment.shown_order, label as Label),
      );
      expect(JSON.parse(String(assessment.unacceptable_labels))).toEqual(marked.sort());
      expect(assessment.unacceptable_rationale).toBe(expected.unacceptable?.rationale ?? null);
    } else {
      expect(blocks).toEqual([{ block: "world", ranking, rationale: expected.rationale }]);
      expect(assessment.unacceptable_labels).toBeNull();
    }
  });
  const state = sqlite
    .prepare<[string], { state: string }>("SELECT state FROM flow_states WHERE participant_id = ?")
    .get(id);
  expect(JSON.parse(String(state?.state)).phase).toBe("completed");
  return id;
}
