import type { Platform } from "../../core/ports.js";

/** One broadcast message as a participant will see it, already in their language. */
export interface OutgoingMessage {
  text: string;
  /**
   * A "start the new scenarios" button: pressing it sends the engine the
   * choice `more` for `step` (the participant's step when the message was
   * sent), so a press after the participant moved on is answered as stale.
   */
  startButton?: { label: string; step: number };
}

export interface BroadcastRecipient {
  participantId: string;
  platformUserId: string;
}

/**
 * Sends broadcast messages on one platform with its OWN client (a separate
 * grammY Api / Slack WebClient from the interactive bot's), without retries
 * of its own: the worker decides what to do with each {@link DeliveryError}.
 */
export interface BroadcastSender {
  readonly platform: Platform;
  /**
   * Sends one message. Never aborted half-way: a stopping worker lets the
   * message in flight finish, so it can record the outcome.
   */
  send(recipient: BroadcastRecipient, message: OutgoingMessage): Promise<void>;
  /** Releases sockets; called when the worker stops. */
  close?(): Promise<void>;
}

/** How a failed send is treated: wait and retry, give up on the person, retry later, or give up on the message. */
type DeliveryErrorKind = "rate_limited" | "unreachable" | "transient" | "rejected";

/** A classified send failure. `reason` is the platform's short error text, never message content. */
export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  constructor(
    readonly kind: DeliveryErrorKind,
    readonly reason: string,
    /** For `rate_limited`: how long the platform asked us to wait. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(`${kind}: ${reason}`, options);
  }
}
