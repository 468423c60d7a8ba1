import { webApi } from "@slack/bolt";
import type { Logger } from "pino";
import { sleep } from "../sleep.js";

/**
 * Slack's rate limits, handled per participant. The app's WebClient is made
 * with `rejectRateLimitedCalls: true`: a 429 fails that one call at once
 * instead of pausing the client's queue for everyone (which held another
 * participant's views.open past its trigger id's 3 seconds). The call is
 * retried here after Retry-After, inside the participant's own serial chain
 * of deliveries (see conversation.ts), so only their messages wait, in order.
 */

/** Waits `seconds` (injected so tests hold a retry until they release it). */
export type RateLimitWait = (seconds: number) => Promise<void>;

export const waitSeconds: RateLimitWait = (seconds) => sleep(Math.max(0, seconds) * 1000);

/** How many times one call is tried when Slack keeps answering 429. */
const ATTEMPTS = 5;

/** Retry-After of a call Slack refused with 429, or undefined for any other failure. */
function retryAfterOf(error: unknown): number | undefined {
  const coded = error as { code?: unknown; retryAfter?: unknown };
  return coded?.code === webApi.ErrorCode.RateLimitedError && typeof coded.retryAfter === "number"
    ? coded.retryAfter
    : undefined;
}

/** Runs a Web API call, waiting out Slack's Retry-After on a 429 and trying again. */
export async function withRateLimitRetry<T>(
  call: () => Promise<T>,
  options: { wait: RateLimitWait; logger: Logger; what: Record<string, unknown> },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retryAfter = retryAfterOf(error);
      if (retryAfter === undefined || attempt >= ATTEMPTS) throw error;
      options.logger.warn({ ...options.what, retryAfter, attempt }, "slack: rate limited; retrying after Retry-After");
      await options.wait(retryAfter);
    }
  }
}
