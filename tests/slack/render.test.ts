import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Prompt } from "../../src/core/flow/prompts.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { blockTextLength, LIMITS } from "../../src/slack/blocks.js";
import { unpackChoice, unpackViewerBlockId } from "../../src/slack/ids.js";
import { type Outgoing, renderPrompts } from "../../src/slack/render.js";
import { decodeSlackText, slackSay, splitText } from "../../src/slack/text.js";
import type { Block } from "../helpers/fake-slack-server.js";

const i18n = createI18n({ localesDir: LOCALES_DIR });
const say = slackSay(i18n, "en");

function response(text: string, step = 9): Prompt {
  return {
    kind: "response",
    step,
    viewerId: "task-0",
    displayLabel: "B",
    index: 2,
    total: 4,
    text,
    choices: [
      { id: "prev", label: { key: "task.previous" } },
      { id: "next", label: { key: "task.next" } },
    ],
  };
}

/** A long AI answer: paragraphs of sentences, no character lost anywhere. */
function longAnswer(length: number): string {
  const sentence = "This sentence explains one careful point about the question in plain words. ";
  let text = "";
  for (let paragraph = 0; text.length < length; paragraph++) {
    text += `${sentence.repeat(5 + (paragraph % 4)).trim()}\n\n`;
  }
  return text.slice(0, length);
}

const sectionTexts = (blocks: Block[]) =>
  blocks.filter((block) => block.type === "section").map((block) => String(block.text.text));

function viewerOf(out: Outgoing[]) {
  const viewer = out.find((item) => item.kind === "viewer");
  if (viewer?.kind !== "viewer") throw new Error("no viewer");
  return viewer;
}

describe("splitText", () => {
  it("keeps every character and respects the limit (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 400 }), fc.integer({ min: 2, max: 60 }), (text, max) => {
        const pieces = splitText(text, max);
        for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(max);
        // Only pieces that are entirely whitespace may be dropped.
        expect(pieces.join("").replace(/\s/g, "")).toBe(text.replace(/\s/g, ""));
      }),
      { numRuns: 300 },
    );
  });

  it("never separates a surrogate pair and prefers paragraph breaks", () => {
    const emoji = "😀".repeat(10);
    for (const piece of splitText(emoji, 5)) expect(piece).toMatch(/^(😀)+$/u);
    expect(splitText(`${"a".repeat(40)}\n\n${"b".repeat(40)}`, 60)).toEqual([`${"a".repeat(40)}\n\n`, "b".repeat(40)]);
  });
});

describe("renderPrompts", () => {
  it("splits a 5,000-character response across sections of at most 3,000, never cutting it", () => {
    const text = longAnswer(5000);
    const viewer = viewerOf(renderPrompts([response(text)], say, "en"));
    expect(viewer.messages).toHaveLength(1);
    const sections = sectionTexts(viewer.messages[0]?.blocks ?? []);
    expect(sections.length).toBe(2);
    for (const section of sections) expect(section.length).toBeLessThanOrEqual(LIMITS.sectionText);
    expect(sections.join("")).toBe(text);
    expect(blockTextLength(viewer.messages[0]?.blocks)).toBeLessThanOrEqual(LIMITS.messageText);
  });

  it("spreads a 30,000-character response over several messages, buttons on the last", () => {
    const text = longAnswer(30_000);
    const viewer = viewerOf(renderPrompts([response(text)], say, "en"));
    expect(viewer.messages.length).toBeGreaterThanOrEqual(3);
    for (const message of viewer.messages) {
      expect(blockTextLength(message.blocks)).toBeLessThanOrEqual(LIMITS.messageText);
      expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    }
    expect(viewer.messages.flatMap((message) => sectionTexts(message.blocks)).join("")).toBe(text);
    const last = viewer.messages.at(-1)?.blocks ?? [];
    const actions = last.find((block) => block.type === "actions");
    expect(unpackViewerBlockId(actions?.block_id)).toEqual({ viewerId: "task-0", parts: viewer.messages.length });
    expect(viewer.messages.slice(0, -1).every((message) => message.blocks.every((b) => b.type !== "actions"))).toBe(
      true,
    );
  });

  it("packs the step and the choice into each button's action id", () => {
    const [out] = renderPrompts(
      [
        {
          kind: "question",
          step: 42,
          text: { key: "consent.ask" },
          choices: [
            { id: "yes", label: { key: "consent.agree" } },
            { id: "no", label: { key: "consent.decline" } },
          ],
        },
      ],
      say,
      "en",
    );
    if (out?.kind !== "message") throw new Error("expected a message");
    const buttons = out.message.blocks.flatMap((block) => (block.type === "actions" ? block.elements : []));
    expect(
      buttons.map((button) => ("action_id" in button ? unpackChoice(String(button.action_id)) : undefined)),
    ).toEqual([
      { step: 42, choice: "yes" },
      { step: 42, choice: "no" },
    ]);
  });

  it("numbers choices whose labels are longer than a button allows, listing them in full", () => {
    const long = "An option written at such length that it could never fit on a Slack button of 75 characters";
    const [out] = renderPrompts(
      [
        {
          kind: "question",
          step: 3,
          text: { verbatim: "Pick one" },
          choices: [
            { id: "a", label: { verbatim: long } },
            { id: "b", label: { verbatim: "Short" } },
          ],
        },
      ],
      say,
      "en",
    );
    if (out?.kind !== "message") throw new Error("expected a message");
    expect(sectionTexts(out.message.blocks).join("\n")).toContain(`1. ${long}\n2. Short`);
    const labels = out.message.blocks.flatMap((block) =>
      block.type === "actions" ? block.elements.map((element) => ("text" in element ? element.text?.text : "")) : [],
    );
    expect(labels).toEqual(["1", "2"]);
  });

  it("puts more than 25 choices in several actions blocks, one ephemeral per notice, the scenario apart", () => {
    const choices = Array.from({ length: 30 }, (_, index) => ({ id: `c${index}`, label: { verbatim: `C${index}` } }));
    const out = renderPrompts(
      [
        { kind: "notice", text: { key: "errors.stale" } },
        { kind: "message", text: { verbatim: "Before" } },
        { kind: "question", step: 1, text: { verbatim: "Which?" }, choices },
        {
          kind: "scenario",
          position: 1,
          total: 2,
          title: { key: "task.scenario_title", params: { position: 1, total: 2 } },
          messages: [{ role: "user", content: "Hello <there> & *friend*" }],
        },
      ],
      say,
      "en",
    );
    expect(out.map((item) => item.kind)).toEqual(["notice", "message", "message"]);
    const [, question, scenario] = out;
    if (question?.kind !== "message" || scenario?.kind !== "message") throw new Error("shape");
    expect(question.message.blocks.filter((block) => block.type === "actions").map((b) => b.elements.length)).toEqual([
      25, 5,
    ]);
    // AI and participant text goes out as plain text: nothing to escape, nothing interpreted.
    const content = scenario.message.blocks.find((block) => block.type === "section");
    expect(content?.text).toEqual({ type: "plain_text", text: "Hello <there> & *friend*", emoji: false });
  });
});

describe("Slack text", () => {
  it("reads back what the participant typed", () => {
    expect(decodeSlackText("a &lt;b&gt; &amp;amp; c")).toBe("a <b> &amp; c");
    expect(decodeSlackText("see <https://example.org|example.org> or <https://x.org>")).toBe(
      "see example.org or https://x.org",
    );
    expect(decodeSlackText("hi <@U123> in <#C1|general> <!here>")).toBe("hi @someone in #general @here");
  });

  it("stores mentions as what they are, never as the Slack ids inside them", () => {
    expect(decodeSlackText("as <@U0CAROL> said, and <@U0DAVE|dave>, <@W0ENTERPRISE>")).toBe(
      "as @someone said, and @someone, @someone",
    );
    expect(decodeSlackText("in <#C0SECRET> and <#C0OPEN|general>")).toBe("in #channel and #general");
    expect(decodeSlackText("<!here> <!channel> <!everyone>")).toBe("@here @channel @everyone");
    expect(decodeSlackText("ask <!subteam^S0DESIGN|@design> or <!subteam^S0OPS>")).toBe("ask @design or @group");
    expect(decodeSlackText("since <!date^1392734382^{date_short}|Feb 18, 2014>")).toBe("since Feb 18, 2014");
    const decoded = decodeSlackText("<@U0CAROL> <#C0SECRET> <!subteam^S0OPS> <@W0ENTERPRISE|x>");
    expect(decoded).not.toMatch(/[UCSW]0[A-Z]+/);
  });

  it("names commands as /chorus subcommands in every language, never touching other slashes", () => {
    expect(say({ key: "pause.paused" })).toContain("/chorus resume");
    expect(slackSay(i18n, "es")({ key: "pause.paused" })).toContain("/chorus resume");
    expect(say({ key: "errors.unknown_command", params: { command: "foo" } })).toContain("/chorus foo");
    expect(say({ verbatim: "and/or /resume" })).toBe("and/or /resume");
    expect(say({ key: "slack.home.where" })).toContain("/chorus help");
    expect(say({ key: "slack.home.where" })).not.toContain("/chorus chorus");
  });
});
