import type { webApi } from "@slack/bolt";
import { LRUCache } from "lru-cache";
import type { EngineResult } from "../core/engine-types.js";
import type { Input } from "../core/flow/inputs.js";
import type { CardPrompt } from "../core/flow/prompts.js";
import type { ParticipantRef } from "../core/ports.js";
import { renderCard, SLACK_SURFACE } from "./card.js";
import { type DeliveryContext, deliverRendered, type LiveMessage, type Origin } from "./delivery.js";
import type { SlackDeps } from "./deps.js";
import { renderPrompts, type SlackMessage } from "./render.js";
import { slackSay } from "./text.js";
import { type RateLimitWait, waitSeconds, withRateLimitRetry } from "./web-api.js";

export type WebClient = webApi.WebClient;

/** Where a participant's prompts go: their DM with the app. */
interface Target {
  userId: string;
  channel: string;
}

interface RunOptions {
  /** Slack's event_id: a redelivered event is a no-op. */
  eventId?: string;
  /** Where the input came from (default: typed). */
  origin?: Origin;
}

export function slackRef(userId: string): ParticipantRef {
  return { platform: "slack", platformUserId: userId };
}

/** Messages per user whose buttons this process took off, remembered so they are never edited again. */
const RETIRED_PER_USER = 32;

interface ConversationOptions {
  cacheSize?: number;
  /** How a 429's Retry-After is waited out (tests hold it). */
  rateLimitWait?: RateLimitWait;
}

/**
 * The participant's side of the adapter: an input in, the engine's prompts
 * out to their DM. Deliveries to one user run one after the other (their
 * messages arrive in the engine's order even when presses come concurrently),
 * and a 429 is waited out inside that user's chain only, so nobody else's
 * messages or modals wait for it.
 */
export function createConversations(deps: SlackDeps, options: ConversationOptions = {}) {
  const cacheSize = options.cacheSize ?? 10_000;
  const wait = options.rateLimitWait ?? waitSeconds;
  // Per user, bounded: the least recently used user is forgotten first (and asked again if they come back).
  const dmChannels = new LRUCache<string, string>({ max: cacheSize });
  const slackLocales = new LRUCache<string, { locale: string | undefined }>({ max: cacheSize });
  const liveMessages = new LRUCache<string, LiveMessage>({ max: cacheSize });
  const retired = new LRUCache<string, string[]>({ max: cacheSize });
  const tails = new Map<string, Promise<void>>();

  function serial(key: string, task: () => Promise<void>): Promise<void> {
    const run = (tails.get(key) ?? Promise.resolve()).then(task);
    // The chain continues after a failure; the failure itself reaches the caller through `run`.
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  }

  /** A Web API call for `userId`, waiting out a 429 (in that user's chain when called from it). */
  function call<T>(userId: string, method: string, fn: () => Promise<T>): Promise<T> {
    return withRateLimitRetry(fn, { wait, logger: deps.logger, what: { userId, method } });
  }

  function localeOf(userId: string): string {
    return deps.participants.findParticipant(slackRef(userId))?.locale ?? deps.i18n.fallbackLocale;
  }

  async function dmChannel(client: WebClient, userId: string): Promise<string> {
    const cached = dmChannels.get(userId);
    if (cached) return cached;
    const opened = await call(userId, "conversations.open", () => client.conversations.open({ users: userId }));
    const channel = opened.channel?.id;
    if (!channel) throw new Error("conversations.open returned no channel id");
    dmChannels.set(userId, channel);
    return channel;
  }

  /** The user's Slack locale (users.info include_locale), e.g. "es-ES"; cached. */
  async function slackLocale(client: WebClient, userId: string): Promise<string | undefined> {
    const cached = slackLocales.get(userId);
    if (cached) return cached.locale;
    try {
      const info = await client.users.info({ user: userId, include_locale: true });
      const locale = info.user?.locale;
      slackLocales.set(userId, { locale });
      return locale;
    } catch (error) {
      // Only a suggestion: the participant picks their language next anyway.
      deps.logger.warn({ userId, err: errorSummary(error) }, "slack: users.info failed; no language suggestion");
      return undefined;
    }
  }

  /**
   * An explicit start (`/chorus start`, App Home's Start, a recruitment
   * button) from someone who is not a participant yet carries their Slack
   * locale as the suggested language. Nothing else ever becomes a start: the
   * engine answers anything else from a stranger (or someone who withdrew)
   * and stores nothing.
   */
  async function withLocaleSuggestion(client: WebClient, userId: string, input: Input): Promise<Input> {
    if (input.kind !== "start" || deps.participants.findParticipant(slackRef(userId))) return input;
    const suggestedLocale = await slackLocale(client, userId);
    return { ...input, ...(suggestedLocale ? { suggestedLocale } : {}) };
  }

  /** The engine call: synchronous, one transaction; the Slack surface goes with every input. */
  function handle(userId: string, input: Input, eventId?: string): EngineResult {
    const result = deps.engine.handle(slackRef(userId), input, {
      surface: SLACK_SURFACE,
      ...(eventId !== undefined ? { eventId } : {}),
    });
    deps.logger.debug(
      { userId, participantId: result.participantId, input: input.kind, eventId, duplicate: result.duplicate },
      "slack: input handled",
    );
    return result;
  }

  function deliveryContext(client: WebClient, target: Target, result: EngineResult): DeliveryContext {
    const { userId, channel } = target;
    const remembered = liveMessages.get(userId);
    return {
      writes: {
        post: async (message: SlackMessage) => {
          const posted = await call(userId, "chat.postMessage", () =>
            client.chat.postMessage({ channel, text: message.text, blocks: message.blocks }),
          );
          if (!posted.ts) throw new Error("chat.postMessage returned no ts");
          return posted.ts;
        },
        update: async (ts, message) => {
          await call(userId, "chat.update", () =>
            client.chat.update({ channel, ts, text: message.text, blocks: message.blocks }),
          );
        },
        ephemeral: async (text) => {
          await call(userId, "chat.postEphemeral", () => client.chat.postEphemeral({ channel, user: userId, text }));
        },
      },
      say: slackSay(deps.i18n, result.locale),
      locale: result.locale,
      participantId: result.participantId,
      live: remembered && remembered.participantId === result.participantId ? remembered : undefined,
      setLive(message) {
        this.live = message;
        if (message) liveMessages.set(userId, message);
        else liveMessages.delete(userId);
      },
      isRetired: (ts) => retired.get(userId)?.includes(ts) ?? false,
      markRetired: (ts) => retired.set(userId, [...(retired.get(userId) ?? []), ts].slice(-RETIRED_PER_USER)),
    };
  }

  function deliver(client: WebClient, target: Target, result: EngineResult, origin: Origin = { kind: "typed" }) {
    if (result.duplicate) return Promise.resolve();
    const rendered = renderPrompts(result.prompts, slackSay(deps.i18n, result.locale), result.locale);
    return serial(target.userId, () => deliverRendered(deliveryContext(client, target, result), rendered, origin));
  }

  async function run(client: WebClient, target: Target, input: Input, options: RunOptions = {}): Promise<EngineResult> {
    const prepared = await withLocaleSuggestion(client, target.userId, input);
    const result = handle(target.userId, prepared, options.eventId);
    await deliver(client, target, result, options.origin);
    return result;
  }

  /**
   * The card `cardId` as this user last saw it, for the form: from memory
   * (no database work before views.open), else asked of the engine (after a
   * restart; a progress query changes nothing).
   */
  function cardFor(userId: string, cardId: string): { card: CardPrompt; locale: string; ts?: string } | undefined {
    const live = liveMessages.get(userId);
    if (live?.card?.card.cardId === cardId) return { card: live.card.card, locale: live.card.locale, ts: live.ts };
    const result = handle(userId, { kind: "command", name: "progress" });
    const card = result.prompts.find(
      (prompt): prompt is CardPrompt => prompt.kind === "card" && prompt.cardId === cardId,
    );
    return card ? { card, locale: result.locale } : undefined;
  }

  /**
   * The form shows all four responses: on a paged card, each counts as
   * opened (the engine records reading; the open one last, so the card keeps
   * it open). Nothing is sent: the DM card stays as it is.
   */
  function recordFormReading(userId: string, card: CardPrompt): void {
    if (card.layout !== "paged") return;
    const reads = card.readChoices.filter((_, index) => index !== card.open);
    const open = card.readChoices[card.open];
    for (const read of open ? [...reads, open] : reads) {
      handle(userId, { kind: "choice", step: card.step, choice: read.id });
    }
  }

  /** Shows another part of a card too long for one message, in place: one chat.update. */
  function turnPage(client: WebClient, target: Target, pressedTs: string, cardId: string, page: number) {
    return serial(target.userId, async () => {
      let live = liveMessages.get(target.userId);
      if (!live?.card || live.card.card.cardId !== cardId || live.ts !== pressedTs) {
        const found = cardFor(target.userId, cardId);
        const participant = deps.participants.findParticipant(slackRef(target.userId));
        if (!found || !participant) {
          const say = slackSay(deps.i18n, localeOf(target.userId));
          await call(target.userId, "chat.postEphemeral", () =>
            client.chat.postEphemeral({
              channel: target.channel,
              user: target.userId,
              text: say({ key: "errors.stale" }),
            }),
          );
          return;
        }
        const say = slackSay(deps.i18n, found.locale);
        live = {
          participantId: participant.id,
          ts: pressedTs,
          blocks: [],
          card: { card: found.card, head: [], page: 0, locale: found.locale, summary: say(found.card.summary) },
        };
      }
      const card = live.card;
      if (!card) return;
      const shown = renderCard({ ...card, page }, slackSay(deps.i18n, card.locale));
      const message = shown.messages.at(-1);
      if (!message) return;
      await call(target.userId, "chat.update", () =>
        client.chat.update({ channel: target.channel, ts: pressedTs, text: message.text, blocks: message.blocks }),
      );
      liveMessages.set(target.userId, { ...live, blocks: message.blocks, card: { ...card, page: shown.page } });
    });
  }

  /** A one-line answer in the DM that is not about the survey's state (an edited message). */
  function notify(client: WebClient, target: Target, text: string): Promise<void> {
    return serial(target.userId, async () => {
      await call(target.userId, "chat.postEphemeral", () =>
        client.chat.postEphemeral({ channel: target.channel, user: target.userId, text }),
      );
    });
  }

  return {
    localeOf,
    dmChannel,
    slackLocale,
    handle,
    deliver,
    run,
    cardFor,
    recordFormReading,
    turnPage,
    notify,
    call,
  };
}

export type Conversations = ReturnType<typeof createConversations>;

/** What may be logged about an error: its kind and Slack's error code, never payloads. */
export function errorSummary(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const coded = error as Error & { code?: string; data?: { error?: string }; original?: unknown };
  return {
    name: coded.name,
    code: coded.code,
    slackError: coded.data?.error,
    message: coded.message.split("\n")[0],
    ...(coded.original instanceof Error ? { original: errorSummary(coded.original) } : {}),
    ...(coded.cause instanceof Error ? { cause: errorSummary(coded.cause) } : {}),
  };
}
