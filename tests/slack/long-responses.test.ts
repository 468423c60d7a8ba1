import { afterEach, describe, expect, it } from "vitest";
import { LIMITS } from "../../src/slack/blocks.js";
import { loadMiniStudy } from "../helpers/db.js";
import { type Block, type RecordedCall, textLength } from "../helpers/fake-slack-server.js";
import { messageText, type SlackHarness, startSlackHarness } from "../helpers/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function longAnswer(length: number, word: string): string {
  let text = "";
  for (let paragraph = 0; text.length < length; paragraph++) {
    text += `${`${word} is one careful point about umbrellas, rain and forecasts. `.repeat(4 + (paragraph % 5)).trim()}\n\n`;
  }
  return text.slice(0, length);
}

const sections = (call: RecordedCall) =>
  ((call.args.blocks as Block[] | undefined) ?? [])
    .filter((block) => block.type === "section")
    .map((block) => String(block.text.text));

describe("long responses in the Slack viewer", () => {
  it("shows a 5,000-character response split across sections and a 30,000-character one across messages", async () => {
    const study = loadMiniStudy();
    const five = longAnswer(5000, "Five");
    const thirty = longAnswer(30_000, "Thirty");
    const weather = study.scenarios[0];
    if (!weather) throw new Error("mini study changed");
    weather.responses = weather.responses.map((response) =>
      response.label === "A"
        ? { ...response, text: five }
        : response.label === "B"
          ? { ...response, text: thirty }
          : response,
    );
    // Only the weather scenario, so the task shows it.
    study.scenarios = [weather];
    study.assignment.scenariosPerParticipant = 1;
    h = await startSlackHarness({ study });
    const kim = h.user("U0KIM");
    for (const step of ["hello", "en", "yes", "hot", "18-29", "US", "go"]) {
      if (step === "hello") await kim.type(step);
      else await kim.press(step);
    }
    const scenario = kim.messages.find((message) => messageText(message).startsWith("Scenario 1 of 1"));
    expect(messageText(scenario ?? { blocks: [] })).toContain("umbrella");
    for (let index = 0; index < 3; index++) await kim.press("next");
    await kim.press("prev");
    await kim.press("next");
    expect(kim.buttons()).toContain("Rank them");

    // Slack refused nothing (the fake enforces Slack's limits and the 11,000 budget).
    expect(h.fake.calls.filter((call) => call.error || call.status !== 200)).toEqual([]);
    const shown = [...h.fake.callsOf("chat.postMessage"), ...h.fake.callsOf("chat.update")];
    for (const call of shown) {
      for (const section of sections(call)) expect(section.length).toBeLessThanOrEqual(LIMITS.sectionText);
      expect(textLength(call.args.blocks)).toBeLessThanOrEqual(LIMITS.messageText);
    }
    // The 5,000-character response: one message, split into sections, every character there.
    const fiveCall = shown.find((call) => sections(call).join("").includes(five.slice(0, 200)));
    expect(fiveCall && sections(fiveCall).join("")).toBe(five);
    expect(fiveCall && sections(fiveCall).length).toBe(2);
    // The 30,000-character response: consecutive messages whose sections join up to it exactly.
    const posts = h.fake.callsOf("chat.postMessage");
    const first = posts.findIndex((call) => sections(call).join("").startsWith("Thirty"));
    expect(first).toBeGreaterThanOrEqual(0);
    let joined = "";
    let parts = 0;
    for (const call of posts.slice(first)) {
      joined += sections(call).join("");
      parts += 1;
      if (joined.length >= thirty.length) break;
    }
    expect(joined).toBe(thirty);
    expect(parts).toBeGreaterThanOrEqual(3);
  });
});
