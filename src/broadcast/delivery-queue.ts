import type { PendingDelivery } from "../store/deliveries.js";

/**
 * The order in which one platform's pending deliveries are sent: rows read
 * in batches from a rowid cursor, each delivery at most once per drain
 * unless sent back (a retry, a 429, a chat not ready yet), those held back
 * until their time. Reading stops when one whole pass over the table finds
 * nothing new.
 */
export class DeliveryQueue {
  private readonly known = new Set<string>();
  private readonly buffer: PendingDelivery[] = [];
  private readonly deferred: { item: PendingDelivery; notBefore: number }[] = [];
  private readonly rateLimits = new Map<string, number>();
  private cursor = 0;
  private passFoundWork = false;
  /** Deliveries found marked in flight by an earlier, interrupted sender. */
  resumedInFlight = 0;

  /**
   * @param fetch pending rows after a rowid, in rowid order
   * @param inFlightMarker the `last_error` an unconfirmed claim leaves on a row
   */
  constructor(
    private readonly fetch: (afterRowid: number) => PendingDelivery[],
    private readonly inFlightMarker: string,
  ) {}

  /**
   * The next delivery to send at `clock`, or the milliseconds until one is
   * due, or undefined when nothing is left. `keyReadyAt` is when a chat may
   * get its next message; one not ready yet is held back until then.
   */
  next(clock: number, keyReadyAt: (platformUserId: string) => number): PendingDelivery | number | undefined {
    this.deferred.sort((a, b) => a.notBefore - b.notBefore);
    if (this.deferred[0] && this.deferred[0].notBefore <= clock) return this.deferred.shift()?.item;
    while (this.buffer.length > 0 || this.refill()) {
      const item = this.buffer.shift() as PendingDelivery;
      const readyAt = keyReadyAt(item.platformUserId);
      if (readyAt <= clock) return item;
      this.deferred.push({ item, notBefore: readyAt });
    }
    return this.deferred[0] ? Math.max(1, this.deferred[0].notBefore - clock) : undefined;
  }

  /** Sends the delivery again at `notBefore` (a retry, or after a 429). */
  retryAt(item: PendingDelivery, notBefore: number): void {
    this.deferred.push({ item, notBefore });
  }

  /** Counts one more 429 for the delivery; how many it has had in this drain. */
  rateLimited(item: PendingDelivery): number {
    const seen = (this.rateLimits.get(keyOf(item)) ?? 0) + 1;
    this.rateLimits.set(keyOf(item), seen);
    return seen;
  }

  /** Done with the delivery in this drain (settled, or not to be sent): a later pass may read it again. */
  forget(item: PendingDelivery): void {
    this.known.delete(keyOf(item));
    this.rateLimits.delete(keyOf(item));
  }

  /** Refills the buffer from the cursor; at the end of the table starts one more pass from the top. */
  private refill(): boolean {
    for (;;) {
      const rows = this.fetch(this.cursor);
      for (const row of rows) {
        this.cursor = row.rid;
        if (this.known.has(keyOf(row))) continue;
        this.known.add(keyOf(row));
        if (row.lastError === this.inFlightMarker) this.resumedInFlight++;
        this.buffer.push(row);
      }
      if (this.buffer.length > 0) {
        this.passFoundWork = true;
        return true;
      }
      if (rows.length > 0) continue;
      // End of the table. Rows behind the cursor (a draft older than the rows just sent, set
      // sending meanwhile) are found by one more pass; a pass that finds nothing ends the drain.
      if (this.cursor === 0 || !this.passFoundWork) return false;
      this.cursor = 0;
      this.passFoundWork = false;
    }
  }
}

function keyOf(item: PendingDelivery): string {
  return `${item.broadcastId}:${item.participantId}`;
}
