import { describe, expect, it } from "vitest";
import { DeliveryQueue } from "../../src/broadcast/delivery-queue.js";
import type { PendingDelivery } from "../../src/store/deliveries.js";

function row(rid: number, chat = `chat${rid}`, lastError: string | null = null): PendingDelivery {
  return { rid, broadcastId: 1, participantId: `p${rid}`, platformUserId: chat, lastError };
}

/**
 * Pending rows as the table holds them, read after a rowid in rowid order a
 * few at a time; a settled delivery leaves the table (it is no longer pending).
 */
function pendingTable(rows: PendingDelivery[], batch = 2) {
  let reads = 0;
  const queue = new DeliveryQueue((afterRowid) => {
    reads++;
    return rows.filter((pending) => pending.rid > afterRowid).slice(0, batch);
  }, "in_flight");
  return {
    rows,
    queue,
    reads: () => reads,
    settle(item: PendingDelivery) {
      rows.splice(rows.indexOf(item), 1);
      queue.forget(item);
    },
  };
}

const ready = () => 0;

/** Settles every delivery the queue gives at `clock`; their rowids. */
function sendAll(table: ReturnType<typeof pendingTable>, clock = 0, keyReadyAt: (chat: string) => number = ready) {
  const sent: number[] = [];
  for (let next = table.queue.next(clock, keyReadyAt); typeof next === "object"; ) {
    sent.push(next.rid);
    table.settle(next);
    next = table.queue.next(clock, keyReadyAt);
  }
  return sent;
}

describe("the delivery queue", () => {
  it("gives each pending row once, in rowid order, across batches, then nothing", () => {
    const table = pendingTable([row(1), row(2), row(3), row(5)]);
    expect(sendAll(table)).toEqual([1, 2, 3, 5]);
    expect(table.queue.next(0, ready)).toBeUndefined();
  });

  it("finds rows behind the cursor with one more pass, and ends after a pass that finds nothing", () => {
    const table = pendingTable([row(10), row(11)]);
    const first = table.queue.next(0, ready) as PendingDelivery;
    expect(first.rid).toBe(10);
    table.settle(first);
    // A draft older than the rows being sent was set sending meanwhile: its rows sit before the cursor.
    table.rows.unshift(row(3));
    expect(sendAll(table)).toEqual([11, 3]);
    const before = table.reads();
    expect(table.queue.next(0, ready)).toBeUndefined();
    expect(table.reads() - before).toBe(1);
  });

  it("does not give a delivery twice while it is out (being sent), even on a new pass", () => {
    const table = pendingTable([row(1), row(2)]);
    const out = table.queue.next(0, ready) as PendingDelivery;
    expect(sendAll(table)).toEqual([2]);
    expect(table.queue.next(0, ready)).toBeUndefined();
    table.settle(out);
  });

  it("holds back a chat that is not ready and says how long to wait for it", () => {
    const table = pendingTable([row(1, "busy"), row(2, "free")]);
    const keyReadyAt = (chat: string) => (chat === "busy" ? 700 : 0);
    expect(sendAll(table, 100, keyReadyAt)).toEqual([2]);
    expect(table.queue.next(100, keyReadyAt)).toBe(600);
    expect(table.queue.next(700, keyReadyAt)).toMatchObject({ rid: 1 });
  });

  it("sends a delivery again at its retry time, not before", () => {
    const table = pendingTable([row(1)]);
    const first = table.queue.next(0, ready) as PendingDelivery;
    table.queue.retryAt(first, 5000);
    expect(table.queue.next(4000, ready)).toBe(1000);
    expect(table.queue.next(5000, ready)).toBe(first);
  });

  it("counts 429s per delivery until it is forgotten", () => {
    const table = pendingTable([row(1)]);
    const item = table.queue.next(0, ready) as PendingDelivery;
    expect([table.queue.rateLimited(item), table.queue.rateLimited(item)]).toEqual([1, 2]);
    table.queue.forget(item);
    expect(table.queue.rateLimited(item)).toBe(1);
  });

  it("counts the rows an interrupted sender left in flight", () => {
    const table = pendingTable([row(1), row(2, "c2", "in_flight"), row(3, "c3", "timeout")]);
    sendAll(table);
    expect(table.queue.resumedInFlight).toBe(1);
  });
});
