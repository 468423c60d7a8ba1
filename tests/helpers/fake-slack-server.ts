import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fake Slack Web API on 127.0.0.1 for end-to-end tests: Bolt's real
 * WebClient talks to it through `slackApiUrl`. It records every call, keeps
 * every DM message the app posted or updated (so tests press the buttons a
 * participant would see), answers with the JSON shapes Slack answers with,
 * refuses Block Kit payloads Slack would refuse (section text over 3,000
 * characters, over 50 blocks, button text over 75, more than 25 elements in
 * an actions block, repeated block ids, a message's block text over the
 * adapter's 11,000 budget, a modal title over 24, a modal's inputs beyond
 * Slack's limits), and can be told to fail a method once: 429 with
 * Retry-After, or an `ok: false` error. Every call is numbered in the order
 * it arrived (`seq`), so tests can tell which request Slack got first.
 */

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** The token the call was made with (Authorization: Bearer, or the token field). */
  token: string | undefined;
  /** The HTTP status answered. */
  status: number;
  /** Slack's `error` when the answer was `ok: false`. */
  error?: string;
  at: number;
  /** Arrival order: 1 for the first request this server received, counted before the body is read. */
  seq: number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Block[];
  /** Times chat.update replaced it. */
  updates: number;
}

interface Ephemeral {
  channel: string;
  user: string;
  text: string;
}

type Fault =
  | { status: 429; retryAfter: number }
  | { status: 200; error: string }
  | { status: 500 }
  /** Answers normally, but only after this many milliseconds (a slow Slack). */
  | { status: 200; delayMs: number };

// biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON as Slack receives it.
export type Block = Record<string, any>;

const SLACK_LIMITS = {
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  actionId: 255,
  buttonValue: 2000,
  actionsElements: 25,
  messageBlocks: 50,
  messageText: 11_000,
  modalTitle: 24,
  modalBlocks: 100,
  privateMetadata: 3000,
  inputLabel: 2000,
  inputMaxLength: 3000,
  optionText: 75,
  options: 10,
} as const;

interface FakeSlackOptions {
  /** users.info locale per user id (default "en-US"). */
  locales?: Record<string, string>;
  /** What apps.connections.open answers (Socket Mode tests). */
  socketUrl?: string;
}

export class FakeSlackServer {
  readonly calls: RecordedCall[] = [];
  readonly messages: StoredMessage[] = [];
  private readonly postWaiters: { channel: string; resolve: (message: StoredMessage) => void }[] = [];
  readonly ephemerals: Ephemeral[] = [];
  /** Published App Home views per user. */
  readonly homes = new Map<string, Block>();
  /** Opened modals, in order. */
  readonly modals: { triggerId: string; view: Block }[] = [];
  /** Requests to response_url (slash command replies). */
  readonly responses: Record<string, unknown>[] = [];
  socketUrl: string | undefined;
  readonly botUserId = "U0CHORUSBOT";
  readonly botId = "B0CHORUS";
  readonly teamId = "T0CHORUS";

  private readonly server = createServer((request, response) => void this.handle(request, response));
  private readonly faults = new Map<string, Fault[]>();
  private readonly locales: Record<string, string>;
  private clock = 1_767_225_600;
  private sequence = 0;
  private arrivals = 0;
  private readonly waiters: { match: (call: RecordedCall) => boolean; resolve: (call: RecordedCall) => void }[] = [];
  /** Requests as they arrive (before any delay or answer): method and arrival number. */
  readonly arrived: { method: string; seq: number }[] = [];
  private readonly arrivalWaiters: { method: string; resolve: () => void }[] = [];

  constructor(options: FakeSlackOptions = {}) {
    this.locales = options.locales ?? {};
    this.socketUrl = options.socketUrl;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The Web API base URL for `slackApiUrl`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A response_url for a slash command payload. */
  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  setLocale(userId: string, locale: string): void {
    this.locales[userId] = locale;
  }

  /** The next call of `method` fails this way (faults queue up, one per call). */
  failNext(method: string, fault: Fault): void {
    const queue = this.faults.get(method) ?? [];
    queue.push(fault);
    this.faults.set(method, queue);
  }

  /** Resolves once a request for `method` has arrived (it may not be answered yet). */
  waitForArrival(method: string, after = 0): Promise<void> {
    if (this.arrived.some((arrival) => arrival.method === method && arrival.seq > after)) return Promise.resolve();
    return new Promise((resolve) => this.arrivalWaiters.push({ method, resolve }));
  }

  /** Resolves with the first recorded call that matches, now or when it arrives. */
  waitForCall(match: (call: RecordedCall) => boolean): Promise<RecordedCall> {
    const found = this.calls.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const waiter of [...this.waiters]) {
      if (!waiter.match(call)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(call);
    }
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  messagesIn(channel: string): StoredMessage[] {
    return this.messages.filter((message) => message.channel === channel);
  }

  /** Resolves with the first message posted in `channel`, already or yet to come (for apps in another process). */
  whenPosted(channel: string): Promise<StoredMessage> {
    const posted = this.messagesIn(channel)[0];
    if (posted) return Promise.resolve(posted);
    return new Promise((resolve) => this.postWaiters.push({ channel, resolve }));
  }

  /** The DM channel the fake opens for a user. */
  dmOf(userId: string): string {
    return `D${userId.slice(1)}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.arrivals += 1;
    const seq = this.arrivals;
    const body = await readBody(request);
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const arrivedMethod = url.pathname.replace(/^\/api\//, "");
    this.arrived.push({ method: arrivedMethod, seq });
    for (const waiter of this.arrivalWaiters.filter((candidate) => candidate.method === arrivedMethod)) {
      this.arrivalWaiters.splice(this.arrivalWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (url.pathname.startsWith("/response/")) {
      this.responses.push(JSON.parse(body || "{}") as Record<string, unknown>);
      return send(response, 200, { ok: true });
    }
    const method = url.pathname.replace(/^\/api\//, "");
    const args = parseArgs(body, request.headers["content-type"]);
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const token = bearer ?? (typeof args.token === "string" ? args.token : undefined);
    let fault = this.faults.get(method)?.shift();
    if (fault && "delayMs" in fault) {
      await new Promise((resolve) => setTimeout(resolve, fault && "delayMs" in fault ? fault.delayMs : 0));
      fault = undefined;
    }
    if (fault) {
      const error = "error" in fault ? fault.error : undefined;
      this.record({ method, args, token, status: fault.status, ...(error ? { error } : {}), at: Date.now(), seq });
      if (fault.status === 429) {
        response.setHeader("retry-after", String(fault.retryAfter));
        return send(response, 429, { ok: false, error: "ratelimited" });
      }
      if (fault.status === 500) return send(response, 500, { ok: false, error: "internal_error" });
      return send(response, 200, { ok: false, error: fault.error });
    }
    const answer = this.answer(method, args);
    const error = answer.ok ? undefined : String(answer.error);
    this.record({ method, args, token, status: 200, ...(error ? { error } : {}), at: Date.now(), seq });
    send(response, 200, answer);
  }

  private nextTs(): string {
    this.sequence += 1;
    return `${this.clock + this.sequence}.${String(this.sequence).padStart(6, "0")}`;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://chorus-test.slack.com/",
          team: "Chorus test",
          user: "chorus",
          team_id: this.teamId,
          user_id: this.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        };
      case "apps.connections.open":
        return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: "invalid_auth" };
      case "conversations.open": {
        const user = String(args.users ?? "");
        if (!/^[UW][A-Z0-9]+$/.test(user)) return { ok: false, error: "user_not_found" };
        return { ok: true, channel: { id: this.dmOf(user) } };
      }
      case "users.info": {
        const user = String(args.user ?? "");
        const includeLocale = args.include_locale === true || args.include_locale === "true";
        return {
          ok: true,
          user: {
            id: user,
            team_id: this.teamId,
            name: user.toLowerCase(),
            is_bot: false,
            ...(includeLocale ? { locale: this.locales[user] ?? "en-US" } : {}),
          },
        };
      }
      case "chat.postMessage":
        return this.postMessage(args);
      case "chat.update":
        return this.update(args);
      case "chat.postEphemeral": {
        const problem = requireFields(args, ["channel", "user", "text"]);
        if (problem) return problem;
        this.ephemerals.push({ channel: String(args.channel), user: String(args.user), text: String(args.text) });
        return { ok: true, message_ts: this.nextTs() };
      }
      case "views.open":
        return this.openView(args);
      case "views.publish": {
        const view = args.view as Block | undefined;
        const problems = view ? checkBlocks(view.blocks ?? [], SLACK_LIMITS.modalBlocks) : ["missing view"];
        if (problems.length > 0)
          return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
        this.homes.set(String(args.user_id), view as Block);
        return { ok: true, view: { id: `V${this.nextTs().replace(".", "")}`, ...view } };
      }
      default:
        return { ok: false, error: "unknown_method" };
    }
  }

  private postMessage(args: Record<string, unknown>): Record<string, unknown> {
    const problem = requireFields(args, ["channel"]) ?? messageProblem(args);
    if (problem) return problem;
    const message: StoredMessage = {
      channel: String(args.channel),
      ts: this.nextTs(),
      text: String(args.text ?? ""),
      blocks: (args.blocks as Block[] | undefined) ?? [],
      updates: 0,
    };
    this.messages.push(message);
    for (const waiter of this.postWaiters.filter((entry) => entry.channel === message.channel)) {
      this.postWaiters.splice(this.postWaiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
    return { ok: true, channel: message.channel, ts: message.ts, message: this.asSlackMessage(message) };
  }

  private update(args: Record<string, unknown>): Record<string, unknown> {
    const problem = requireFields(args, ["channel", "ts"]) ?? messageProblem(args);
    if (problem) return problem;
    const message = this.messages.find((stored) => stored.channel === args.channel && stored.ts === args.ts);
    if (!message) return { ok: false, error: "message_not_found" };
    message.text = String(args.text ?? "");
    message.blocks = (args.blocks as Block[] | undefined) ?? [];
    message.updates += 1;
    return {
      ok: true,
      channel: message.channel,
      ts: message.ts,
      text: message.text,
      message: this.asSlackMessage(message),
    };
  }

  private openView(args: Record<string, unknown>): Record<string, unknown> {
    const view = args.view as Block | undefined;
    if (!args.trigger_id) return { ok: false, error: "invalid_trigger_id" };
    if (!view) return { ok: false, error: "invalid_arguments" };
    const problems = [...checkBlocks(view.blocks ?? [], SLACK_LIMITS.modalBlocks), ...checkModal(view)];
    if (String(view.private_metadata ?? "").length > SLACK_LIMITS.privateMetadata) problems.push("private_metadata");
    if (problems.length > 0)
      return { ok: false, error: "invalid_arguments", response_metadata: { messages: problems } };
    this.modals.push({ triggerId: String(args.trigger_id), view });
    return { ok: true, view: { id: `V${this.nextTs().replace(".", "")}`, state: { values: {} }, ...view } };
  }

  /** A message as Slack returns it in API answers and in block_actions payloads. */
  asSlackMessage(message: StoredMessage): Record<string, unknown> {
    return {
      type: "message",
      user: this.botUserId,
      bot_id: this.botId,
      text: message.text,
      ts: message.ts,
      team: this.teamId,
      blocks: message.blocks,
    };
  }
}

export async function startFakeSlackServer(options: FakeSlackOptions = {}): Promise<FakeSlackServer> {
  const server = new FakeSlackServer(options);
  await server.start();
  return server;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** The WebClient sends form fields, JSON-encoding objects (blocks, view); JSON bodies are accepted too. */
function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes("application/json")) return JSON.parse(body || "{}") as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    args[name] = /^[[{]/.test(value) ? tryJson(value) : value;
  }
  return args;
}

function tryJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function requireFields(args: Record<string, unknown>, fields: string[]): Record<string, unknown> | undefined {
  const missing = fields.filter((field) => args[field] === undefined || args[field] === "");
  return missing.length > 0 ? { ok: false, error: "invalid_arguments", missing } : undefined;
}

function messageProblem(args: Record<string, unknown>): Record<string, unknown> | undefined {
  const blocks = args.blocks as Block[] | undefined;
  if (!blocks && !args.text) return { ok: false, error: "no_text" };
  const problems = checkBlocks(blocks ?? [], SLACK_LIMITS.messageBlocks);
  const total = textLength(blocks ?? []);
  if (total > SLACK_LIMITS.messageText) problems.push(`blocks carry ${total} characters of text`);
  return problems.length > 0 ? { ok: false, error: "invalid_blocks", errors: problems } : undefined;
}

/** Every `text` of a text object inside a value. */
export function textLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + textLength(item), 0);
  if (!value || typeof value !== "object") return 0;
  let total = 0;
  for (const [field, inner] of Object.entries(value)) {
    if (field === "text" && typeof inner === "string") total += inner.length;
    else if (typeof inner === "object") total += textLength(inner);
  }
  return total;
}

/** What Slack refuses in a modal beyond its blocks: titles, a missing submit, inputs past their limits. */
function checkModal(view: Block): string[] {
  const problems: string[] = [];
  for (const field of ["title", "submit", "close"]) {
    if (String(view[field]?.text ?? "").length > SLACK_LIMITS.modalTitle) problems.push(`${field} over 24 characters`);
  }
  const blocks = (view.blocks ?? []) as Block[];
  if (blocks.some((block) => block.type === "input") && !view.submit) problems.push("inputs without submit");
  blocks.forEach((block, index) => {
    if (block.type !== "input") return;
    const element = block.element as Block | undefined;
    if (!element?.action_id) problems.push(`[${index}] input without an element`);
    if (String(block.label?.text ?? "").length > SLACK_LIMITS.inputLabel) problems.push(`[${index}] input label`);
    if (!block.label?.text) problems.push(`[${index}] input without a label`);
    if (element?.type === "plain_text_input" && (element.max_length ?? 0) > SLACK_LIMITS.inputMaxLength) {
      problems.push(`[${index}] max_length over 3000`);
    }
    const options = (element?.options ?? []) as Block[];
    if (element?.type === "radio_buttons" || element?.type === "checkboxes") {
      if (options.length === 0 || options.length > SLACK_LIMITS.options) problems.push(`[${index}] options`);
      for (const option of options) {
        if (String(option.text?.text ?? "").length > SLACK_LIMITS.optionText) problems.push(`[${index}] option text`);
      }
    }
  });
  return problems;
}

function checkBlocks(blocks: Block[], maxBlocks: number): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks (max ${maxBlocks})`);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  blocks.forEach((block, index) => {
    if (block.block_id) {
      if (blockIds.has(block.block_id)) problems.push(`[${index}] repeated block_id ${block.block_id}`);
      blockIds.add(block.block_id);
    }
    const text = block.text?.text;
    if (block.type === "section") {
      if (typeof text !== "string" && !block.fields) problems.push(`[${index}] section without text`);
      if (typeof text === "string" && (text.length > SLACK_LIMITS.sectionText || text.trim() === "")) {
        problems.push(`[${index}] section text of ${text.length} characters`);
      }
    }
    if (block.type === "header" && (typeof text !== "string" || text.length > SLACK_LIMITS.headerText)) {
      problems.push(`[${index}] header text`);
    }
    if (block.type === "actions") {
      const elements = (block.elements ?? []) as Block[];
      if (elements.length === 0 || elements.length > SLACK_LIMITS.actionsElements) {
        problems.push(`[${index}] actions with ${elements.length} elements`);
      }
      for (const element of elements) {
        if (String(element.text?.text ?? "").length > SLACK_LIMITS.buttonText) problems.push(`[${index}] button text`);
        if (String(element.action_id ?? "").length > SLACK_LIMITS.actionId) problems.push(`[${index}] action_id`);
        if (String(element.value ?? "").length > SLACK_LIMITS.buttonValue) problems.push(`[${index}] button value`);
        if (actionIds.has(element.action_id)) problems.push(`[${index}] repeated action_id ${element.action_id}`);
        actionIds.add(element.action_id);
      }
    }
  });
  return problems;
}
