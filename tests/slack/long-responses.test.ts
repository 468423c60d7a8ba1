import { afterEach, describe, expect, it } from "vitest";
import { readChoiceId } from "../../src/core/flow/prompts.js";
import { LIMITS } from "../../src/slack/blocks.js";
import { loadMiniStudy } from "../helpers/db.js";
import { type Block, type StoredMessage, textLength } from "../helpers/fake-slack-server.js";
import { messageText, type SlackHarness, startSlackHarness, toFirstCard } from "../helpers/slack-harness.js";

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

const sectionsOf = (message: StoredMessage, word: string) =>
  (message.blocks as Block[])
    .filter((block) => block.type === "section" && String(block.text.text).includes(word))
    .map((block) => String(block.text.text));

const partButton = (message: StoredMessage, label: string) =>
  (message.blocks as Block[])
    .flatMap((block) => (block.type === "actions" ? (block.elements as Block[]) : []))
    .find((button) => String(button.action_id).startsWith("chorus.page:") && button.text.text === label);

describe("long responses on the card", () => {
  it("shows a 5,000-character response whole and a 30,000-character one in parts of one message, nothing cut", async () => {
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
    study.scenarios = [weather];
    study.assignment.scenariosPerParticipant = 1;
    h = await startSlackHarness({ study });
    const kim = h.user("U0KIM");
    await toFirstCard(kim);
    const order = (h.database.sqlite.prepare("SELECT shown_order FROM assignments").get() as { shown_order: string })
      .shown_order;
    const before = h.fake.calls.length;
    const card = kim.card;

    // The 5,000-character response: on the card in two sections, every character there.
    await kim.press(readChoiceId(0, order.indexOf("A")));
    expect(sectionsOf(kim.card, "Five").join("")).toBe(five);
    expect(sectionsOf(kim.card, "Five")).toHaveLength(2);
    expect(partButton(kim.card, "Next part ▶")).toBeUndefined();

    // The 30,000-character one: in parts of the same message, turned with Next part.
    await kim.press(readChoiceId(0, order.indexOf("B")));
    let joined = sectionsOf(kim.card, "Thirty").join("");
    let parts = 1;
    expect(messageText(kim.card)).toContain("Part 1 of");
    for (let next = partButton(kim.card, "Next part ▶"); next; next = partButton(kim.card, "Next part ▶")) {
      await kim.pressButton((button) => button.action_id === next?.action_id);
      joined += sectionsOf(kim.card, "Thirty").join("");
      parts += 1;
      expect(messageText(kim.card)).toContain(`Part ${parts} of`);
    }
    expect(joined).toBe(thirty);
    expect(parts).toBeGreaterThanOrEqual(3);
    // Back one part, and the ranking buttons work on every part.
    await kim.pressButton((button) => button.text?.text === "◀ Previous part");
    expect(messageText(kim.card)).toContain(`Part ${parts - 1} of`);
    await kim.press("p:B");
    expect(messageText(kim.card)).toContain("So far: B.");

    // One message all along, edited once per press; Slack refused nothing.
    expect(kim.card.ts).toBe(card.ts);
    const since = h.fake.calls.slice(before);
    expect(since.map((call) => call.method)).toEqual(since.map(() => "chat.update"));
    // (Opening the response already open changes nothing on the card, so it costs no write.)
    const readA = order.indexOf("A") === 0 ? 0 : 1;
    expect(since).toHaveLength(readA + 1 + (parts - 1) + 2);
    expect(h.fake.calls.filter((call) => call.error || call.status !== 200)).toEqual([]);
    for (const call of since) {
      for (const block of call.args.blocks as Block[]) {
        if (block.type === "section") expect(String(block.text.text).length).toBeLessThanOrEqual(LIMITS.sectionText);
      }
      expect(textLength(call.args.blocks)).toBeLessThanOrEqual(LIMITS.messageText);
    }
  });
});
