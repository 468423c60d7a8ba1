import { afterEach, describe, expect, it } from "vitest";
import type { RecordedCall } from "../helpers/fake-slack-server.js";
import { messageText, type SlackHarness, startSlackHarness, toFirstCard } from "../helpers/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A Retry-After wait the test holds until it releases it, recording what it was asked to wait. */
function heldWait() {
  const asked: number[] = [];
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started: () => void = () => undefined;
  const waiting = new Promise<void>((resolve) => {
    started = resolve;
  });
  return {
    asked,
    waiting,
    release,
    wait: (seconds: number) => {
      asked.push(seconds);
      started();
      return released;
    },
  };
}

describe("Slack rate limits", () => {
  it("waits out one participant's 429 without delaying anyone else's modal or messages", async () => {
    const held = heldWait();
    h = await startSlackHarness({ rateLimitWait: held.wait });
    const harness = h;
    const one = harness.user("U0ONE");
    const two = harness.user("U0TWO");
    await toFirstCard(one);
    await toFirstCard(two);

    // One's press: its chat.update is refused with 429, Retry-After 5.
    harness.fake.failNext("chat.update", { status: 429, retryAfter: 5 });
    const limited = harness.fake.waitForCall((call) => call.status === 429);
    await one.press("p:A", undefined, { settle: false });
    const refused = await limited;
    expect(refused.args.channel).toBe(one.dm);
    await held.waiting;
    expect(held.asked).toEqual([5]);

    // Meanwhile Two opens the card form and presses on the card: both reach Slack while One still waits.
    const view = await two.openForm({ settle: false });
    expect(view.callback_id).toBe("chorus.card");
    const opened = harness.fake.callsOf("views.open").at(-1) as RecordedCall;
    await two.press("p:B", undefined, { settle: false });
    const twoUpdate = await harness.fake.waitForCall(
      (call) => call.method === "chat.update" && call.args.channel === two.dm && call.seq > refused.seq,
    );
    const retried = () =>
      harness.fake.calls.filter(
        (call) => call.method === "chat.update" && call.args.channel === one.dm && call.seq > refused.seq,
      );
    expect(retried()).toEqual([]);
    expect(opened.status).toBe(200);
    expect(opened.seq).toBeGreaterThan(refused.seq);
    expect(twoUpdate.status).toBe(200);

    // Retry-After over: One's update arrives after Two's calls, and the card shows the press.
    held.release();
    const [again] = await Promise.all([
      harness.fake.waitForCall(
        (call) => call.method === "chat.update" && call.args.channel === one.dm && call.seq > refused.seq,
      ),
      harness.slack.idle(),
    ]);
    expect(again.status).toBe(200);
    expect(again.seq).toBeGreaterThan(twoUpdate.seq);
    expect(messageText(one.card)).toContain("So far: A.");
    expect(messageText(two.card)).toContain("So far: B.");
  });
});
