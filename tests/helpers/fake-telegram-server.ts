import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { InlineKeyboardButton, Message, Update } from "grammy/types";

/**
 * A fake Telegram Bot API on 127.0.0.1 for end-to-end tests: grammY's real
 * HTTP client talks to it through `apiRoot`. It keeps the chats (every
 * message the bot sent or edited: editMessageText, editMessageReplyMarkup,
 * an edit without reply_markup dropping the keyboard as Telegram does), an
 * update queue served by getUpdates with Telegram's offset/timeout semantics
 * (messages, media with captions, edited messages, button presses carrying
 * the pressed message as it stands), records every call, enforces the
 * limits Telegram enforces (4,096-character texts, 64-byte callback data,
 * 200-character callback answers, one answer per callback query, "message
 * is not modified") and can be told to fail: 429 with retry_after, 403 for a
 * blocked user, 5xx.
 */

interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
  /** The HTTP status answered (200 or the error code). */
  status: number;
  description?: string;
}

export interface ChatMessage {
  messageId: number;
  from: "bot" | "user";
  text: string;
  /** Inline keyboard, or undefined. */
  keyboard?: InlineKeyboardButton.CallbackButton[][];
  forceReply: boolean;
  edits: number;
}

interface Fault {
  code: number;
  description: string;
  retryAfter?: number;
}

export const FAULTS = {
  tooManyRequests: (seconds: number): Fault => ({
    code: 429,
    description: `Too Many Requests: retry after ${seconds}`,
    retryAfter: seconds,
  }),
  blocked: (): Fault => ({ code: 403, description: "Forbidden: bot was blocked by the user" }),
  deactivated: (): Fault => ({ code: 403, description: "Forbidden: user is deactivated" }),
  serverError: (): Fault => ({ code: 502, description: "Bad Gateway" }),
};

interface FakeTelegramOptions {
  token?: string;
  /** Check that edited messages exist (off only in benchmarks replaying recorded updates). */
  strictMessages?: boolean;
  botUsername?: string;
}

const TEXT_LIMIT = 4096;
const CALLBACK_DATA_LIMIT = 64;
const CALLBACK_ANSWER_LIMIT = 200;

class ApiFailure extends Error {
  constructor(readonly fault: Fault) {
    super(fault.description);
  }
}

export class FakeTelegramServer {
  readonly token: string;
  readonly botId = 7_000_000_001;
  readonly botUsername: string;
  /** Every answered call, in the order the answers were given. */
  readonly calls: RecordedCall[] = [];
  private readonly callWaiters: {
    method: string;
    test: (call: RecordedCall) => boolean;
    resolve: (call: RecordedCall) => void;
  }[] = [];
  /** Method names in the order requests arrived (a long poll shows here before it is answered). */
  readonly received: string[] = [];
  readonly chats = new Map<number, ChatMessage[]>();
  webhook: { url: string; secret?: string } | undefined;
  /** Milliseconds every method except getUpdates takes (a slow Bot API). */
  latencyMs = 0;
  /** Commands per language code ("" = default). */
  readonly commands = new Map<string, { command: string; description: string }[]>();

  private readonly server = createServer((request, response) => void this.handle(request, response));
  private readonly queue: Update[] = [];
  private readonly forced: Update[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly faults: { method: string | undefined; fault: Fault; remaining: number }[] = [];
  private readonly blockedChats = new Set<number>();
  private readonly openQueries = new Map<string, { answered: boolean }>();
  private readonly nextMessageId = new Map<number, number>();
  private nextUpdateId = 100_000;
  private nextQueryId = 1;
  private confirmedOffset = 0;
  private readonly strict: boolean;
  private port = 0;

  constructor(options: FakeTelegramOptions = {}) {
    this.token = options.token ?? "123456:TEST-fake-telegram-token-abcdefghij";
    this.botUsername = options.botUsername ?? "chorus_test_bot";
    this.strict = options.strictMessages ?? true;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const wake of this.waiters) wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The `apiRoot` to give grammY. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  // ── the update queue ────────────────────────────────────────────────

  /** Queues an update (its update_id assigned here unless given) and returns it. */
  pushUpdate(update: Omit<Update, "update_id"> & { update_id?: number }): Update {
    const full = { ...update, update_id: update.update_id ?? this.nextUpdateId++ } as Update;
    if (full.callback_query && !this.openQueries.has(full.callback_query.id)) {
      this.openQueries.set(full.callback_query.id, { answered: false });
    }
    this.queue.push(full);
    for (const wake of this.waiters) wake();
    return full;
  }

  /**
   * Serves the same update again (as Telegram does after a bot crashed before
   * confirming it, or a webhook timed out), whatever offset was confirmed.
   */
  redeliver(update: Update): void {
    this.forced.push(update);
    for (const wake of this.waiters) wake();
  }

  /** A private-chat message from a user, as Telegram sends it (commands get a bot_command entity). */
  userMessage(user: FakeUser, text: string, extra: Partial<Message> = {}): Update {
    const messageId = this.allocateMessageId(user.id);
    const command = /^\/[A-Za-z0-9_]+(@\w+)?/.exec(text);
    const message = {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: user.id, type: "private", first_name: user.firstName },
      from: this.userOf(user),
      text,
      ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
      ...extra,
    } as Message;
    this.chat(user.id).push({ messageId, from: "user", text, forceReply: false, edits: 0 });
    return this.pushUpdate({ message } as Omit<Update, "update_id">);
  }

  /**
   * A private-chat message without text, as Telegram sends media: a photo,
   * sticker, voice note… (`media`), with an optional caption.
   */
  userMedia(user: FakeUser, media: Partial<Message>, caption?: string): Update {
    const messageId = this.allocateMessageId(user.id);
    const message = {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: user.id, type: "private", first_name: user.firstName },
      from: this.userOf(user),
      ...media,
      ...(caption !== undefined ? { caption } : {}),
    } as Message;
    this.chat(user.id).push({ messageId, from: "user", text: caption ?? "", forceReply: false, edits: 0 });
    return this.pushUpdate({ message } as Omit<Update, "update_id">);
  }

  /** The user edited a message they sent: Telegram sends `edited_message` with the new text. */
  userEdit(user: FakeUser, messageId: number, text: string): Update {
    const stored = this.chat(user.id).find((message) => message.messageId === messageId && message.from === "user");
    if (!stored) throw new Error(`user ${user.id} sent no message ${messageId}`);
    stored.text = text;
    stored.edits++;
    const now = Math.floor(Date.now() / 1000);
    return this.pushUpdate({
      edited_message: {
        message_id: messageId,
        date: now,
        edit_date: now,
        chat: { id: user.id, type: "private", first_name: user.firstName },
        from: this.userOf(user),
        text,
      },
    } as Omit<Update, "update_id">);
  }

  /** A press on a button of a message in the user's chat. */
  buttonPress(user: FakeUser, messageId: number, data: string): Update {
    const stored = this.chat(user.id).find((message) => message.messageId === messageId);
    const id = String(this.nextQueryId++);
    return this.pushUpdate({
      callback_query: {
        id,
        from: this.userOf(user),
        chat_instance: `ci-${user.id}`,
        data,
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: user.id, type: "private", first_name: user.firstName },
          from: { id: this.botId, is_bot: true, first_name: "Chorus", username: this.botUsername },
          text: stored?.text ?? "",
          ...(stored?.keyboard ? { reply_markup: { inline_keyboard: stored.keyboard } } : {}),
        },
      },
    } as Omit<Update, "update_id">);
  }

  /** `my_chat_member`: the user blocked ("kicked") or unblocked ("member") the bot. */
  chatMember(user: FakeUser, status: "kicked" | "member"): Update {
    const bot = { id: this.botId, is_bot: true, first_name: "Chorus", username: this.botUsername };
    const old = status === "kicked" ? "member" : "kicked";
    if (status === "kicked") this.blockedChats.add(user.id);
    else this.blockedChats.delete(user.id);
    return this.pushUpdate({
      my_chat_member: {
        chat: { id: user.id, type: "private", first_name: user.firstName },
        from: this.userOf(user),
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { status: old, user: bot },
        new_chat_member: { status, user: bot, ...(status === "kicked" ? { until_date: 0 } : {}) },
      },
    } as Omit<Update, "update_id">);
  }

  // ── faults ──────────────────────────────────────────────────────────

  /** The next `times` calls of `method` (any method if undefined) fail with `fault`. */
  failNext(method: string | undefined, fault: Fault, times = 1): void {
    this.faults.push({ method, fault, remaining: times });
  }

  /** Every message to this chat fails with 403 "bot was blocked by the user" (without a my_chat_member). */
  block(chatId: number): void {
    this.blockedChats.add(chatId);
  }

  // ── inspection ──────────────────────────────────────────────────────

  chat(chatId: number): ChatMessage[] {
    let messages = this.chats.get(chatId);
    if (!messages) {
      messages = [];
      this.chats.set(chatId, messages);
    }
    return messages;
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /**
   * Resolves with the first call of `method` (answered, with success or a
   * fault) matching `test`, already recorded or yet to come: a hand-off for
   * tests whose bot runs in another process.
   */
  whenCalled(method: string, test: (call: RecordedCall) => boolean = () => true): Promise<RecordedCall> {
    const done = this.calls.find((call) => call.method === method && test(call));
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => this.callWaiters.push({ method, test, resolve }));
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const waiter of [...this.callWaiters]) {
      if (waiter.method !== call.method || !waiter.test(call)) continue;
      this.callWaiters.splice(this.callWaiters.indexOf(waiter), 1);
      waiter.resolve(call);
    }
  }

  /** Callback queries asked and not answered. */
  unansweredQueries(): string[] {
    return [...this.openQueries].filter(([, query]) => !query.answered).map(([id]) => id);
  }

  // ── HTTP ────────────────────────────────────────────────────────────

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(?:test\/)?([A-Za-z]+)$/.exec(request.url?.split("?")[0] ?? "");
    const payload = await readPayload(request);
    const reply = (status: number, body: unknown) => {
      if (response.destroyed) return;
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (!match) return reply(404, { ok: false, error_code: 404, description: "Not Found" });
    const [, token, method = ""] = match;
    if (token !== this.token) return reply(401, { ok: false, error_code: 401, description: "Unauthorized" });
    this.received.push(method);
    try {
      if (this.latencyMs > 0 && method !== "getUpdates") await new Promise((r) => setTimeout(r, this.latencyMs));
      this.injectFault(method);
      const result = await this.call(method, payload, request);
      this.record({ method, payload, status: 200 });
      reply(200, { ok: true, result });
    } catch (error) {
      const fault =
        error instanceof ApiFailure ? error.fault : { code: 500, description: `Internal: ${String(error)}` };
      this.record({ method, payload, status: fault.code, description: fault.description });
      reply(fault.code, {
        ok: false,
        error_code: fault.code,
        description: fault.description,
        ...(fault.retryAfter !== undefined ? { parameters: { retry_after: fault.retryAfter } } : {}),
      });
    }
  }

  private injectFault(method: string): void {
    const index = this.faults.findIndex((entry) => entry.method === undefined || entry.method === method);
    const entry = this.faults[index];
    if (!entry) return;
    if (--entry.remaining <= 0) this.faults.splice(index, 1);
    throw new ApiFailure(entry.fault);
  }

  private async call(method: string, payload: Record<string, unknown>, request: IncomingMessage): Promise<unknown> {
    switch (method) {
      case "getMe":
        return {
          id: this.botId,
          is_bot: true,
          first_name: "Chorus",
          username: this.botUsername,
          can_join_groups: false,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        };
      case "getUpdates":
        return this.getUpdates(payload, request);
      case "deleteWebhook":
        this.webhook = undefined;
        if (payload.drop_pending_updates) this.queue.length = 0;
        return true;
      case "setWebhook":
        this.webhook = {
          url: String(payload.url),
          ...(payload.secret_token ? { secret: String(payload.secret_token) } : {}),
        };
        return true;
      case "getWebhookInfo":
        return { url: this.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: this.queue.length };
      case "setMyCommands":
        this.commands.set(String(payload.language_code ?? ""), payload.commands as never);
        return true;
      case "sendMessage":
        return this.sendMessage(payload);
      case "editMessageText":
        return this.editMessageText(payload);
      case "editMessageReplyMarkup":
        return this.editMessageReplyMarkup(payload);
      case "answerCallbackQuery":
        return this.answerCallbackQuery(payload);
      default:
        throw new ApiFailure({ code: 404, description: `Not Found: method ${method} is not in the fake` });
    }
  }

  private async getUpdates(payload: Record<string, unknown>, request: IncomingMessage): Promise<Update[]> {
    if (this.webhook) {
      throw new ApiFailure({
        code: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    }
    const offset = Number(payload.offset ?? 0);
    const limit = Math.min(Math.max(Number(payload.limit ?? 100), 1), 100);
    const timeout = Number(payload.timeout ?? 0);
    // Telegram forgets every update below the offset: they are confirmed.
    if (offset > this.confirmedOffset) this.confirmedOffset = offset;
    const pending = () => {
      for (let i = this.queue.length - 1; i >= 0; i--) {
        if ((this.queue[i] as Update).update_id < this.confirmedOffset) this.queue.splice(i, 1);
      }
      const forced = this.forced.splice(0, limit);
      return [...forced, ...this.queue.slice(0, limit - forced.length)];
    };
    let updates = pending();
    if (updates.length === 0 && timeout > 0) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, timeout * 1000);
        this.waiters.add(wake);
        request.once("close", wake);
      });
      updates = pending();
    }
    // Served updates stay queued until a later offset confirms them, as on Telegram;
    // a redelivered update keeps its id, so it is served again.
    return updates;
  }

  private checkChat(chatId: number): void {
    if (this.blockedChats.has(chatId)) throw new ApiFailure(FAULTS.blocked());
  }

  private checkText(text: unknown): string {
    if (typeof text !== "string" || text.trim() === "") {
      throw new ApiFailure({ code: 400, description: "Bad Request: message text is empty" });
    }
    if (text.length > TEXT_LIMIT) throw new ApiFailure({ code: 400, description: "Bad Request: message is too long" });
    return text;
  }

  private checkMarkup(markup: unknown): { keyboard?: InlineKeyboardButton.CallbackButton[][]; forceReply: boolean } {
    if (!markup) return { forceReply: false };
    const value = markup as { inline_keyboard?: InlineKeyboardButton.CallbackButton[][]; force_reply?: boolean };
    if (value.force_reply) return { forceReply: true };
    for (const row of value.inline_keyboard ?? []) {
      for (const button of row) {
        const bytes = Buffer.byteLength(button.callback_data ?? "", "utf8");
        if (bytes < 1 || bytes > CALLBACK_DATA_LIMIT) {
          throw new ApiFailure({ code: 400, description: "Bad Request: BUTTON_DATA_INVALID" });
        }
        if (!button.text) throw new ApiFailure({ code: 400, description: "Bad Request: text buttons are unallowed" });
      }
    }
    return { ...(value.inline_keyboard ? { keyboard: value.inline_keyboard } : {}), forceReply: false };
  }

  private sendMessage(payload: Record<string, unknown>): Message.TextMessage {
    const chatId = Number(payload.chat_id);
    this.checkChat(chatId);
    const text = this.checkText(payload.text);
    const markup = this.checkMarkup(payload.reply_markup);
    const messageId = this.allocateMessageId(chatId);
    this.chat(chatId).push({ messageId, from: "bot", text, ...markup, edits: 0 });
    return this.botMessage(chatId, messageId, text);
  }

  private editMessageText(payload: Record<string, unknown>): Message.TextMessage {
    const chatId = Number(payload.chat_id);
    const messageId = Number(payload.message_id);
    this.checkChat(chatId);
    const text = this.checkText(payload.text);
    const markup = this.checkMarkup(payload.reply_markup);
    const stored = this.storedBotMessage(chatId, messageId);
    if (!stored) {
      if (this.strict) throw new ApiFailure({ code: 400, description: "Bad Request: message to edit not found" });
      return this.botMessage(chatId, messageId, text);
    }
    if (stored.text === text && JSON.stringify(stored.keyboard) === JSON.stringify(markup.keyboard)) {
      throw this.notModified();
    }
    stored.text = text;
    stored.keyboard = markup.keyboard;
    stored.edits++;
    return this.botMessage(chatId, messageId, text);
  }

  private storedBotMessage(chatId: number, messageId: number): ChatMessage | undefined {
    return this.chat(chatId).find((message) => message.messageId === messageId && message.from === "bot");
  }

  private notModified(): ApiFailure {
    return new ApiFailure({
      code: 400,
      description:
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    });
  }

  /** Replaces (or, without reply_markup, removes) a message's inline keyboard; the text stays. */
  private editMessageReplyMarkup(payload: Record<string, unknown>): Message.TextMessage {
    const chatId = Number(payload.chat_id);
    const messageId = Number(payload.message_id);
    this.checkChat(chatId);
    const markup = this.checkMarkup(payload.reply_markup);
    const stored = this.storedBotMessage(chatId, messageId);
    if (!stored) {
      if (this.strict) throw new ApiFailure({ code: 400, description: "Bad Request: message to edit not found" });
      return this.botMessage(chatId, messageId, "…");
    }
    if (JSON.stringify(stored.keyboard) === JSON.stringify(markup.keyboard)) throw this.notModified();
    stored.keyboard = markup.keyboard;
    stored.edits++;
    return this.botMessage(chatId, messageId, stored.text);
  }

  private answerCallbackQuery(payload: Record<string, unknown>): boolean {
    const query = this.openQueries.get(String(payload.callback_query_id));
    if (!query || query.answered) {
      throw new ApiFailure({
        code: 400,
        description: "Bad Request: query is too old and response timeout expired or query ID is invalid",
      });
    }
    if (typeof payload.text === "string" && payload.text.length > CALLBACK_ANSWER_LIMIT) {
      throw new ApiFailure({ code: 400, description: "Bad Request: MESSAGE_TOO_LONG" });
    }
    query.answered = true;
    return true;
  }

  private botMessage(chatId: number, messageId: number, text: string): Message.TextMessage {
    return {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "private", first_name: "User" },
      from: { id: this.botId, is_bot: true, first_name: "Chorus", username: this.botUsername },
      text,
    };
  }

  private allocateMessageId(chatId: number): number {
    const id = this.nextMessageId.get(chatId) ?? 1;
    this.nextMessageId.set(chatId, id + 1);
    return id;
  }

  private userOf(user: FakeUser) {
    return {
      id: user.id,
      is_bot: false,
      first_name: user.firstName,
      ...(user.languageCode ? { language_code: user.languageCode } : {}),
    };
  }
}

export interface FakeUser {
  id: number;
  firstName: string;
  languageCode?: string;
}

async function readPayload(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  if (body === "") return {};
  const type = request.headers["content-type"] ?? "";
  if (type.includes("application/json")) return JSON.parse(body) as Record<string, unknown>;
  if (type.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(body));
  throw new Error(`unsupported content type ${type}`);
}

export async function startFakeTelegramServer(options: FakeTelegramOptions = {}): Promise<FakeTelegramServer> {
  return new FakeTelegramServer(options).start();
}
