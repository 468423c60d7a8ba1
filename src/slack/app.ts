import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, LogLevel, type Logger as SlackLogger, SocketModeReceiver, type webApi } from "@slack/bolt";
import type { Logger } from "pino";
import { isStoreBusy } from "../core/errors.js";
import { createConversations, errorSummary, slackRef } from "./conversation.js";
import type { ListenerDeps, SlackDeps } from "./deps.js";
import { registerListeners } from "./listeners/index.js";
import { ParticipantToldError } from "./listeners/views/index.js";
import { slackSay } from "./text.js";
import type { RateLimitWait } from "./web-api.js";

/** Bolt's error handler with the payload (App option extendedErrorHandler: true). */
type ExtendedErrorHandler = Parameters<App["error"]>[0];

const DEFAULT_SLACK_API_URL = "https://slack.com/api/";
/** Where Slack posts events, commands and interactions in HTTP mode (Request URL in the manifest). */
export const SLACK_EVENTS_PATH = "/slack/events";

/**
 * Web API retries of network and 5xx failures: back off from half a second,
 * five times at most, so nothing waits forever. A 429 is not retried by the
 * client (`rejectRateLimitedCalls`: its default would pause its one queue,
 * and with it every participant's calls); see web-api.ts.
 */
const DEFAULT_RETRY_CONFIG: webApi.RetryOptions = {
  retries: 5,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 20_000,
  randomize: true,
};

interface SlackAppOptions extends SlackDeps {
  botToken: string;
  /** The xapp- app-level token (connections:write), for Socket Mode. */
  appToken?: string;
  /** For HTTP mode: requests are verified with it (HMAC v0). */
  signingSecret?: string;
  mode: "socket" | "http";
  /** HTTP mode: where the receiver listens (0: any free port). */
  port?: number;
  host?: string;
  /** Web API base, e.g. a local fake in tests; default Slack's. */
  apiUrl?: string;
  retryConfig?: webApi.RetryOptions;
  /** Milliseconds per Web API request attempt. */
  requestTimeoutMs?: number;
  /** Socket Mode ping timeouts (tests shorten them). */
  socketPing?: { clientMs?: number; serverMs?: number };
  /** How a 429's Retry-After is waited out (default: that many seconds; tests hold it). */
  rateLimitWait?: RateLimitWait;
}

export interface SlackApp {
  app: App;
  deps: ListenerDeps;
  /** Connects (Socket Mode) or listens (HTTP); resolves with the HTTP port in HTTP mode. */
  start(): Promise<{ port?: number }>;
  /** Resolves once no incoming request is being handled (listeners finished, messages sent). */
  idle(): Promise<void>;
  /** Stops taking requests, then waits for those in flight. */
  stop(): Promise<void>;
}

/**
 * Counts requests in flight, so shutdown (and tests) can wait for them to
 * finish, including the error handler's message to the participant: Bolt
 * calls it after the middleware chain has unwound, so "idle" is decided one
 * macrotask after the count reaches zero, by which time a failed request's
 * handler has registered itself with `track`.
 */
function trackInFlight(app: App) {
  let active = 0;
  const waiters: Array<() => void> = [];
  const settle = () =>
    setImmediate(() => {
      if (active === 0) for (const resolve of waiters.splice(0)) resolve();
    });
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    active += 1;
    try {
      return await work();
    } finally {
      active -= 1;
      if (active === 0) settle();
    }
  };
  app.use(({ next }) => track(next));
  return {
    track,
    idle: (): Promise<void> =>
      new Promise((resolve) => {
        // One macrotask first: a request whose acknowledgement was just received is still entering the middleware.
        setImmediate(() => (active === 0 ? resolve() : waiters.push(resolve)));
      }),
  };
}

/**
 * Bolt's own log lines, forwarded at info and above. Debug is dropped: at
 * that level Bolt and the Web API client print whole payloads, which carry
 * what participants wrote.
 */
function boltLogger(logger: Logger): SlackLogger {
  const line = (parts: unknown[]) => parts.map(String).join(" ").slice(0, 500);
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => logger.info({ component: "bolt" }, line(parts)),
    warn: (...parts: unknown[]) => logger.warn({ component: "bolt" }, line(parts)),
    error: (...parts: unknown[]) => logger.error({ component: "bolt" }, line(parts)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}

/** The Slack user an incoming payload is about (events, interactions, slash commands). */
function userIdOf(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const payload = body as { user?: { id?: string } | string; user_id?: string; event?: { user?: unknown } };
  if (typeof payload.user === "object" && typeof payload.user.id === "string") return payload.user.id;
  if (typeof payload.user_id === "string") return payload.user_id;
  if (typeof payload.event?.user === "string") return payload.event.user;
  return undefined;
}

/**
 * The Slack adapter: Bolt in Socket Mode (default) or behind its HTTP
 * receiver, without a conversation store, with one error handler that logs
 * ids only and tells the participant, in their language, that nothing was lost.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const logger = boltLogger(options.logger);
  const clientOptions: webApi.WebClientOptions = {
    slackApiUrl: options.apiUrl ?? DEFAULT_SLACK_API_URL,
    retryConfig: options.retryConfig ?? DEFAULT_RETRY_CONFIG,
    timeout: options.requestTimeoutMs ?? 15_000,
    rejectRateLimitedCalls: true,
  };
  const receiver = createReceiver(options, logger, clientOptions);
  const app = new App({
    token: options.botToken,
    receiver,
    convoStore: false,
    clientOptions,
    logger,
    logLevel: LogLevel.INFO,
    extendedErrorHandler: true,
  });
  const inFlight = trackInFlight(app);
  const conversations = createConversations(options, {
    ...(options.rateLimitWait ? { rateLimitWait: options.rateLimitWait } : {}),
  });
  const deps: ListenerDeps = { ...options, conversations };
  registerListeners(app, deps);

  // Logs carry the request type and Slack's error code, never the Slack user id (README: participant ids only).
  const onError: ExtendedErrorHandler = ({ error, body }) => inFlight.track(() => tellParticipant(error, body));
  async function tellParticipant(error: Error, body: unknown): Promise<void> {
    const userId = userIdOf(body);
    const type = (body as { type?: string } | undefined)?.type;
    const busy = isStoreBusy(error);
    if (busy) options.logger.warn({ type }, "slack: database locked through every retry: input not saved");
    else options.logger.error({ type, err: errorSummary(error) }, "slack: handler failed");
    const told = error instanceof ParticipantToldError || hasOriginal(error, ParticipantToldError);
    if (!userId || told) return;
    try {
      const participant = options.participants.findParticipant(slackRef(userId));
      const locale = participant?.locale ?? options.i18n.fallbackLocale;
      const channel = await conversations.dmChannel(app.client, userId);
      const text = slackSay(options.i18n, locale)({ key: busy ? "errors.busy" : "errors.internal" });
      await conversations.call(userId, "chat.postMessage", () => app.client.chat.postMessage({ channel, text }));
    } catch (notified) {
      options.logger.error({ type, err: errorSummary(notified) }, "slack: could not tell the participant");
    }
  }
  app.error(onError);

  return {
    app,
    deps,
    async start() {
      if (options.mode === "socket") {
        await app.start();
        return {};
      }
      const server = (await app.start({ port: options.port ?? 3000, host: options.host ?? "0.0.0.0" })) as {
        address(): AddressInfo | string | null;
      };
      const address = server.address();
      return typeof address === "object" && address ? { port: address.port } : {};
    },
    idle: inFlight.idle,
    async stop() {
      await app.stop();
      await inFlight.idle();
    },
  };
}

function hasOriginal(error: unknown, kind: new (...args: never[]) => Error): boolean {
  const original = (error as { original?: unknown }).original;
  return original instanceof kind;
}

function createReceiver(options: SlackAppOptions, logger: SlackLogger, clientOptions: webApi.WebClientOptions) {
  if (options.mode === "socket") {
    if (!options.appToken) throw new Error("Slack Socket Mode needs SLACK_APP_TOKEN (an xapp- token)");
    return new SocketModeReceiver({
      appToken: options.appToken,
      logger,
      logLevel: LogLevel.INFO,
      installerOptions: { clientOptions },
      ...(options.socketPing?.clientMs ? { clientPingTimeout: options.socketPing.clientMs } : {}),
      ...(options.socketPing?.serverMs ? { serverPingTimeout: options.socketPing.serverMs } : {}),
    });
  }
  if (!options.signingSecret) throw new Error("Slack HTTP mode needs SLACK_SIGNING_SECRET");
  return new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    logger,
    logLevel: LogLevel.INFO,
    processBeforeResponse: false,
    customRoutes: [
      {
        path: "/healthz",
        method: ["GET"],
        handler: (_req, res) => {
          res.writeHead(200, { "content-type": "text/plain" });
          res.end("ok");
        },
      },
    ],
  });
}
