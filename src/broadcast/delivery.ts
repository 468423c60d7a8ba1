import type { Study } from "../core/study/schema.js";
import type { I18n } from "../i18n/index.js";
import type { Logger } from "../logger.js";
import type { DeliveryStore, DeliveryTarget, PendingDelivery } from "../store/deliveries.js";
import type { DeliveryQueue } from "./delivery-queue.js";
import { MESSAGEABLE_STATUSES } from "./filter.js";
import { renderBroadcastMessage } from "./message.js";
import { IN_FLIGHT } from "./outbox.js";
import type { Pacer } from "./pacer.js";
import { type BroadcastSender, DeliveryError, type OutgoingMessage } from "./senders/types.js";

/**
 * One delivery, from reading what it needs to recording what the platform
 * said: claim, send, mark sent; or skip, retry later, give up, or mark the
 * participant unreachable. The crash-safety order is described in worker.ts.
 */

export type DeliveryOutcome = "sent" | "unreachable" | "failed" | "skipped" | "retry" | "rate_limited";

/** A delivery ready to send: where to, and the message in the participant's language. */
export interface ReadyDelivery {
  platformUserId: string;
  locale: string;
  message: OutgoingMessage;
}

interface DeliveryStepsDeps {
  sender: BroadcastSender;
  store: DeliveryStore;
  queue: DeliveryQueue;
  pacer: Pacer;
  i18n: I18n;
  study(studyId: string): Study | undefined;
  now(): Date;
  maxAttempts: number;
  maxRateLimits: number;
  backoffMs(attempts: number): number;
  log?: Logger;
  /** Called once a delivery's outcome is stored. */
  recorded(item: PendingDelivery, outcome: DeliveryOutcome): void;
}

export interface DeliverySteps {
  /**
   * Reads what the delivery needs now. Undefined when there is nothing to
   * send: gone (withdrawn: rows cascade), settled, cancelled, or skipped
   * (recorded here, without using a slot of the pacer).
   */
  readyToSend(item: PendingDelivery): ReadyDelivery | undefined;
  /** Claims, sends and records one delivery; `answered` tells the pacer the platform has answered. */
  deliver(item: PendingDelivery, ready: ReadyDelivery, answered: () => void): Promise<void>;
}

export function createDeliverySteps(deps: DeliveryStepsDeps): DeliverySteps {
  const { store, queue, pacer, log } = deps;

  function settled(item: PendingDelivery, outcome: DeliveryOutcome): void {
    if (outcome !== "retry" && outcome !== "rate_limited") queue.forget(item);
    deps.recorded(item, outcome);
  }

  function failed(item: PendingDelivery, error: DeliveryError): void {
    if (error.kind === "rate_limited") {
      const waitMs = error.retryAfterMs ?? 1000;
      pacer.pauseFor(waitMs);
      log?.warn({ broadcast: item.broadcastId, retryAfterMs: waitMs }, "broadcast rate limited; pausing");
      if (queue.rateLimited(item) <= deps.maxRateLimits) {
        // A 429 is the platform asking us to slow down, not a failed attempt.
        store.undoAttempt(item.broadcastId, item.participantId, error.reason);
        queue.retryAt(item, pacer.clock() + waitMs);
        settled(item, "rate_limited");
        return;
      }
    }
    if (error.kind === "unreachable") {
      store.markUnreachable(item.broadcastId, item.participantId, error.reason, deps.now().toISOString());
      log?.info({ broadcast: item.broadcastId, participant: item.participantId }, "participant unreachable");
      settled(item, "unreachable");
      return;
    }
    const attempts = store.attempts(item.broadcastId, item.participantId) ?? deps.maxAttempts;
    if (error.kind === "rejected" || attempts >= deps.maxAttempts) {
      store.settle(item.broadcastId, item.participantId, "failed", error.reason);
      log?.warn({ broadcast: item.broadcastId, participant: item.participantId, reason: error.reason }, "failed");
      settled(item, "failed");
      return;
    }
    store.settle(item.broadcastId, item.participantId, "pending", error.reason);
    queue.retryAt(item, pacer.clock() + deps.backoffMs(attempts));
    settled(item, "retry");
  }

  return {
    readyToSend(item) {
      const target = store.target(item.broadcastId, item.participantId);
      if (target?.delivery_status !== "pending" || target.broadcast_status !== "sending") {
        queue.forget(item);
        return undefined;
      }
      const reason = skipReason(target);
      if (reason) {
        store.settle(item.broadcastId, item.participantId, "skipped", reason);
        settled(item, "skipped");
        return undefined;
      }
      const canStart = target.phase === "completed" || target.phase === "no_scenarios";
      const message = renderBroadcastMessage(
        deps.i18n,
        {
          messageKey: target.message_key,
          messages: JSON.parse(target.messages) as Record<string, string>,
          withStartButton: target.with_start_button === 1,
        },
        target.locale,
        deps.study(target.study_id),
        canStart && target.step !== null ? target.step : undefined,
      );
      return { platformUserId: target.platform_user_id, locale: target.locale, message };
    },

    async deliver(item, ready, answered) {
      if (!store.claim(item.broadcastId, item.participantId, IN_FLIGHT)) {
        answered();
        queue.forget(item);
        return;
      }
      try {
        await deps.sender.send(
          { participantId: item.participantId, platformUserId: ready.platformUserId },
          ready.message,
        );
      } catch (error) {
        answered();
        failed(item, error instanceof DeliveryError ? error : new DeliveryError("transient", String(error)));
        return;
      }
      answered();
      // The ambiguity window is here: between the platform's OK above and this write.
      store.markSent(item.broadcastId, item.participantId, deps.now().toISOString(), ready.locale);
      settled(item, "sent");
    },
  };
}

/** Why a participant must not get the message now, or undefined if they may. */
function skipReason(target: DeliveryTarget): string | undefined {
  if (!(MESSAGEABLE_STATUSES as readonly string[]).includes(target.participant_status)) {
    return `participant ${target.participant_status}`;
  }
  if (target.paused) return "participant paused";
  if (target.consented_at === null) return "participant has not consented";
  return undefined;
}
