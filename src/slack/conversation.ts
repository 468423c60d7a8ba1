import type { webApi } from "@slack/bolt";
import type { EngineResult } from "../core/engine-types.js";
import type { Input } from "../core/flow/inputs.js";
import type { ParticipantRef } from "../core/ports.js";
import { type Block, context, fallbackText } from "./blocks.js";
import type { SlackDeps } from "./deps.js";
import { stepOfAction, unpackViewerBlockId, type ViewerMark } from "./ids.js";
import { type Outgoing, renderPrompts, type SlackMessage } from "./render.js";
import { type SayText, slackKey, slackSay } from "./text.js";

export type WebClient = webApi.WebClient;

/** Where a participant's prompts go: their DM with the app. */
export interface Target {
  userId: string;
  channel: string;
}

/** The message whose button was pressed (from the block_actions payload, no lookup needed). */
export interface Pressed {
  ts: string;
  blocks: readonly unknown[];
  /** The pressed button's label, shown in place of the buttons once the press took effect. */
  choiceLabel: string;
}

export interface RunOptions {
  /** Slack's event_id: a redelivered event is a no-op. */
  eventId?: string;
  pressed?: Pressed;
}

export function slackRef(userId: string): ParticipantRef {
  return { platform: "slack", platformUserId: userId };
}

/** A Map that forgets its oldest entries past `max` (ids cached per user, bounded memory). */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.max) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

/**
 * The participant's side of the adapter: an input in, the engine's prompts out
 * to their DM. Deliveries to one user are serialised so messages arrive in the
 * order the engine produced them, even when Slack delivers presses concurrently.
 */
export function createConversations(deps: SlackDeps, options: { cacheSize?: number } = {}) {
  const cacheSize = options.cacheSize ?? 10_000;
  const dmChannels = new BoundedMap<string, string>(cacheSize);
  const slackLocales = new BoundedMap<string, string | null>(cacheSize);
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

  function localeOf(userId: string): string {
    return deps.participants.findParticipant(slackRef(userId))?.locale ?? deps.i18n.fallbackLocale;
  }

  async function dmChannel(client: WebClient, userId: string): Promise<string> {
    const cached = dmChannels.get(userId);
    if (cached) return cached;
    const opened = await client.conversations.open({ users: userId });
    const channel = opened.channel?.id;
    if (!channel) throw new Error("conversations.open returned no channel id");
    dmChannels.set(userId, channel);
    return channel;
  }

  /** The user's Slack locale (users.info include_locale), e.g. "es-ES"; cached. */
  async function slackLocale(client: WebClient, userId: string): Promise<string | undefined> {
    const cached = slackLocales.get(userId);
    if (cached !== undefined) return cached ?? undefined;
    try {
      const info = await client.users.info({ user: userId, include_locale: true });
      const locale = info.user?.locale ?? null;
      slackLocales.set(userId, locale);
      return locale ?? undefined;
    } catch (error) {
      // Only a suggestion: the participant picks their language next anyway.
      deps.logger.warn({ userId, err: errorSummary(error) }, "slack: users.info failed; no language suggestion");
      return undefined;
    }
  }

  /**
   * Someone who is not a participant yet: whatever they did is first contact,
   * i.e. a start carrying their Slack locale as the suggested language (and
   * the recruitment source, if they came through a "Take part" button).
   */
  async function firstContact(client: WebClient, userId: string, input: Input): Promise<Input> {
    if (deps.participants.findParticipant(slackRef(userId))) return input;
    if (input.kind === "command" && (input.name === "mydata" || input.name === "withdraw")) return input;
    const suggestedLocale = await slackLocale(client, userId);
    return {
      kind: "start",
      ...(input.kind === "start" && input.source ? { source: input.source } : {}),
      ...(suggestedLocale ? { suggestedLocale } : {}),
    };
  }

  /** The engine call: synchronous, one transaction. */
  function handle(userId: string, input: Input, eventId?: string): EngineResult {
    const result = deps.engine.handle(slackRef(userId), input, eventId !== undefined ? { eventId } : {});
    deps.logger.debug(
      { userId, participantId: result.participantId, input: input.kind, eventId, duplicate: result.duplicate },
      "slack: input handled",
    );
    return result;
  }

  /** Per user: the newest message still offering buttons, so a typed answer can retire them too. */
  const openAsks = new BoundedMap<string, SentMessage>(cacheSize);

  function deliver(client: WebClient, target: Target, result: EngineResult, pressed?: Pressed): Promise<void> {
    if (result.duplicate) return Promise.resolve();
    const say = slackSay(deps.i18n, result.locale);
    const outgoing = renderPrompts(result.prompts, say, result.locale);
    return serial(target.userId, async () => {
      const open = openAsks.get(target.userId);
      const retire = pressed ?? (open && typedAnswerTookEffect(result, open) ? answered(open, say) : undefined);
      const latest = await send(client, target, outgoing, say, retire);
      const tookEffect = outgoing.some((item) => item.kind !== "notice");
      if (latest) openAsks.set(target.userId, latest);
      else if (tookEffect && retire && open?.ts === retire.ts) openAsks.delete(target.userId);
    });
  }

  async function run(client: WebClient, target: Target, input: Input, options: RunOptions = {}): Promise<EngineResult> {
    const prepared = await firstContact(client, target.userId, input);
    const result = handle(target.userId, prepared, options.eventId);
    await deliver(client, target, result, options.pressed);
    return result;
  }

  return { localeOf, dmChannel, slackLocale, firstContact, handle, deliver, run };
}

export type Conversations = ReturnType<typeof createConversations>;

type ViewerOutgoing = Extract<Outgoing, { kind: "viewer" }>;

/** A message the app sent that still offers buttons. */
interface SentMessage {
  ts: string;
  blocks: Block[];
  step: number | undefined;
}

/** The step a message's buttons were made for. */
function stepOfButtons(blocks: readonly Block[]): number | undefined {
  for (const block of blocks) {
    if (block.type !== "actions") continue;
    for (const element of block.elements) {
      const step = "action_id" in element ? stepOfAction(String(element.action_id)) : undefined;
      if (step !== undefined) return step;
    }
  }
  return undefined;
}

/**
 * The input moved the participant on (it was not refused and asked again
 * for the same step), so the buttons of the message it answered are done.
 */
function typedAnswerTookEffect(result: EngineResult, open: SentMessage): boolean {
  if (!result.prompts.some((prompt) => prompt.kind !== "notice")) return false;
  const [first] = result.prompts;
  const askedAgain = result.prompts.some((prompt) => "step" in prompt && prompt.step === open.step);
  return !(first?.kind === "notice" && askedAgain);
}

function answered(open: SentMessage, say: SayText): Pressed {
  return { ts: open.ts, blocks: open.blocks, choiceLabel: say(slackKey("answer_sent")) };
}

/**
 * Sends the rendered prompts in order: the pressed message first (the viewer
 * updated in place, or its buttons replaced by the choice made), then new
 * messages and ephemeral notices. Resolves with the newest message that
 * still offers buttons, if this delivery left one.
 */
async function send(
  client: WebClient,
  target: Target,
  outgoing: Outgoing[],
  say: SayText,
  pressed: Pressed | undefined,
): Promise<SentMessage | undefined> {
  let queue = outgoing;
  let latest: SentMessage | undefined;
  const remember = (ts: string, blocks: Block[]) => {
    if (blocks.some((block) => block.type === "actions")) latest = { ts, blocks, step: stepOfButtons(blocks) };
  };
  if (pressed) {
    const inPlace = viewerUpdatedInPlace(outgoing, viewerMarkOf(pressed.blocks));
    if (inPlace?.messages[0]) {
      await update(client, target.channel, pressed.ts, inPlace.messages[0]);
      remember(pressed.ts, inPlace.messages[0].blocks);
      queue = outgoing.filter((item) => item !== inPlace);
    } else if (outgoing.some((item) => item.kind !== "notice")) {
      // The press took effect: its buttons give way to the choice made, so old buttons are not pressed again.
      const chosen = say(slackKey("chosen", { choice: pressed.choiceLabel }));
      const blocks = closeActions(pressed.blocks, chosen);
      await update(client, target.channel, pressed.ts, { text: fallbackText(blocks), blocks });
    }
  }
  for (const item of queue) {
    if (item.kind === "notice") {
      await client.chat.postEphemeral({ channel: target.channel, user: target.userId, text: item.text });
      continue;
    }
    const messages = item.kind === "viewer" ? item.messages : [item.message];
    for (const message of messages) {
      const posted = await client.chat.postMessage({
        channel: target.channel,
        text: message.text,
        blocks: message.blocks,
      });
      if (posted.ts) remember(posted.ts, message.blocks);
    }
  }
  return latest;
}

function update(client: WebClient, channel: string, ts: string, message: SlackMessage) {
  return client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
}

/** The viewer to show in the pressed message itself: same viewer, one message before and after. */
function viewerUpdatedInPlace(outgoing: Outgoing[], mark: ViewerMark | undefined): ViewerOutgoing | undefined {
  if (mark?.parts !== 1) return undefined;
  return outgoing.find(
    (item): item is ViewerOutgoing =>
      item.kind === "viewer" && item.viewerId === mark.viewerId && item.messages.length === 1,
  );
}

function viewerMarkOf(blocks: readonly unknown[]): ViewerMark | undefined {
  for (const block of blocks) {
    const mark = unpackViewerBlockId((block as { block_id?: string }).block_id);
    if (mark) return mark;
  }
  return undefined;
}

/** The message as it was, its buttons replaced by one line saying what was chosen (added at the end if none). */
export function closeActions(blocks: readonly unknown[], chosen: string): Block[] {
  const kept: Block[] = [];
  let replaced = false;
  for (const block of blocks as Block[]) {
    if (block.type !== "actions") kept.push(block);
    else if (!replaced) {
      kept.push(...context(chosen));
      replaced = true;
    }
  }
  return replaced ? kept : [...kept, ...context(chosen)];
}

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
