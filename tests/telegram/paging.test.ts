import { describe, expect, it } from "vitest";
import type { Study } from "../../src/core/study/schema.js";
import { loadMiniStudy } from "../helpers/db.js";
import { useTelegramHarness } from "../helpers/telegram-harness.js";

const startHarness = useTelegramHarness();

/** A response of exactly `length` characters in paragraphs of numbered words, so every word can be found again. */
function longResponse(length: number): string {
  const words: string[] = [];
  let text = "";
  for (let i = 0; text.length < length; i++) {
    words.push(`w${i}`);
    text = words.map((word, index) => (index % 40 === 39 ? `${word}\n\n` : `${word} `)).join("");
  }
  return text.slice(0, length).trimEnd();
}

function studyWithLongResponses(text: string): Study {
  const study = loadMiniStudy();
  return {
    ...study,
    scenarios: study.scenarios.map((scenario) => ({
      ...scenario,
      responses: scenario.responses.map((response) => ({ ...response, text })),
    })),
  };
}

describe("a response longer than a Telegram message", () => {
  it("is paged inside the one viewer message, never cut, with page buttons", async () => {
    const text = longResponse(6000);
    expect(text.length).toBeGreaterThan(5900);
    const harness = await startHarness({ study: studyWithLongResponses(text) });
    const ivy = harness.user(6001);
    await ivy.start();
    for (const label of ["English", "I agree", "hot", "18–29", "United States", "Start"]) await ivy.press(label);

    const viewer = ivy.lastBotMessage;
    expect(viewer.text).toMatch(/^Response A · 1\/4 · page 1\/2\n\n/);
    expect(viewer.text.length).toBeLessThanOrEqual(4096);
    expect(ivy.buttons()).toEqual(["· 1 ·", "2", "Next ▶"]);
    const first = viewer.text.split("\n\n").slice(1).join("\n\n");

    await ivy.press("2");
    expect(ivy.lastBotMessage.messageId).toBe(viewer.messageId);
    expect(ivy.lastBotMessage.text).toMatch(/^Response A · 1\/4 · page 2\/2\n\n/);
    expect(ivy.buttons()).toEqual(["1", "· 2 ·", "Next ▶"]);
    const second = ivy.lastBotMessage.text.split("\n\n").slice(1).join("\n\n");

    // Both pages together hold every word of the response, in order.
    const words = (value: string) => value.split(/\s+/).filter(Boolean);
    expect([...words(first), ...words(second)]).toEqual(words(text));

    // Pressing the current page again is harmless ("message is not modified" is ignored).
    await ivy.press("· 2 ·");
    // ◀ ▶ still go through the engine and show page 1 of the next response in the same message.
    await ivy.press("Next ▶");
    expect(ivy.lastBotMessage.messageId).toBe(viewer.messageId);
    expect(ivy.lastBotMessage.text).toMatch(/^Response B · 2\/4 · page 1\/2/);

    const edits = harness.server.callsOf("editMessageText");
    for (const edit of edits) expect(String(edit.payload.text).length).toBeLessThanOrEqual(4096);
    expect(harness.server.unansweredQueries()).toEqual([]);
    expect(harness.server.calls.filter((call) => call.status !== 200 && call.status !== 400)).toEqual([]);
    const notModified = harness.server.calls.filter((call) => call.status === 400);
    expect(notModified.map((call) => call.description)).toEqual([expect.stringContaining("message is not modified")]);
  });
});
