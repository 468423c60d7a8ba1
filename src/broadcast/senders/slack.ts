import { webApi } from "@slack/bolt";
import { LRUCache } from "lru-cache";
import { Pacer } from "../pacer.js";
import { type BroadcastSender, DeliveryError, type OutgoingMessage } from "./types.js";

interface SlackSenderOptions {
  token: string;
  /** Web API base URL (a test's fake server); Slack's default otherwise. */
  slackApiUrl?: string;
  /** The adapter's action id and value for a choice button, so the adapter handles the press like any other. */
  encodeChoice: (step: number, choice: string) => { actionId: string; value: string };
  /** conversations.open calls per minute (Slack tier 3: about 50). */
  opensPerMinute?: number;
  /** How many user → DM channel ids to remember. */
  cacheSize?: number;
}

/** Slack errors meaning this person cannot be messaged by the app any more. */
const UNREACHABLE = new Set([
  "channel_not_found",
  "user_not_found",
  "user_disabled",
  "account_inactive",
  "is_archived",
  "cannot_dm_bot",
  "not_in_channel",
  "is_inactive",
  "invalid_users",
  "user_not_visible",
]);
const TRANSIENT = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"]);

/**
 * Broadcast sender for Slack over its own WebClient (not Bolt's): retries
 * off and rate-limited calls rejected, so the worker sees every 429 and
 * pauses the broadcast alone, while interactive participants' calls go
 * through the app's client untouched. DM channel ids from
 * `conversations.open` are cached, and those calls paced separately.
 */
export function createSlackSender(options: SlackSenderOptions): BroadcastSender {
  const client = new webApi.WebClient(options.token, {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: webApi.LogLevel.ERROR,
  });
  const opens = new Pacer({ ratePerSecond: (options.opensPerMinute ?? 50) / 60, perKeyIntervalMs: 0 });
  const channels = new LRUCache<string, string>({ max: options.cacheSize ?? 100_000 });

  async function dmChannel(userId: string): Promise<string> {
    const cached = channels.get(userId);
    if (cached) return cached;
    const answered = await opens.acquire(userId);
    let channel: string | undefined;
    try {
      const result = await client.conversations.open({ users: userId });
      channel = result.channel?.id;
    } catch (error) {
      const classified = classifySlackError(error);
      if (classified.kind === "rate_limited") opens.pauseFor(classified.retryAfterMs ?? 1000);
      throw classified;
    } finally {
      answered();
    }
    if (!channel) throw new DeliveryError("transient", "conversations.open returned no channel");
    channels.set(userId, channel);
    return channel;
  }

  return {
    platform: "slack",
    async send(recipient, message) {
      const channel = await dmChannel(recipient.platformUserId);
      try {
        await client.chat.postMessage({ channel, text: message.text, blocks: slackBlocks(message, options) });
      } catch (error) {
        const classified = classifySlackError(error);
        // A stale cached channel must not stick: open it again next time.
        if (classified.kind === "unreachable") channels.delete(recipient.platformUserId);
        throw classified;
      }
    },
  };
}

function slackBlocks(message: OutgoingMessage, options: SlackSenderOptions) {
  const blocks: webApi.KnownBlock[] = [{ type: "section", text: { type: "plain_text", text: message.text } }];
  if (message.startButton) {
    const { actionId, value } = options.encodeChoice(message.startButton.step, "more");
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          style: "primary",
          action_id: actionId,
          value,
          text: { type: "plain_text", text: message.startButton.label },
        },
      ],
    });
  }
  return blocks;
}

/** Maps a Slack Web API error to what the worker should do about it. */
function classifySlackError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case webApi.ErrorCode.RateLimitedError: {
      const seconds = (error as webApi.WebAPIRateLimitedError).retryAfter;
      return new DeliveryError("rate_limited", "429 rate limited", (seconds || 1) * 1000, { cause: error });
    }
    case webApi.ErrorCode.PlatformError: {
      const reason = (error as webApi.WebAPIPlatformError).data.error;
      if (UNREACHABLE.has(reason)) return new DeliveryError("unreachable", reason, undefined, { cause: error });
      if (TRANSIENT.has(reason)) return new DeliveryError("transient", reason, undefined, { cause: error });
      return new DeliveryError("rejected", reason, undefined, { cause: error });
    }
    case webApi.ErrorCode.HTTPError: {
      const status = (error as webApi.WebAPIHTTPError).statusCode;
      const kind = status >= 500 || status === 408 ? "transient" : "rejected";
      return new DeliveryError(kind, `http ${status}`, undefined, { cause: error });
    }
    case webApi.ErrorCode.RequestError:
      return new DeliveryError("transient", "network error", undefined, { cause: error });
    default:
      return new DeliveryError(
        "transient",
        String((error as Error)?.message ?? error).split("\n")[0] ?? "",
        undefined,
        {
          cause: error,
        },
      );
  }
}
