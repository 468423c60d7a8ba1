import { describe, expect, it } from "vitest";
import { type CardPrompt, readChoiceId } from "../../src/core/flow/prompts.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { blockTextLength, LIMITS, sections } from "../../src/slack/blocks.js";
import { renderCard } from "../../src/slack/card.js";
import {
  cardFormFits,
  packFormMetadata,
  rankingText,
  submissionFromForm,
  unpackFormMetadata,
} from "../../src/slack/card-form.js";
import { cardIdOf, unpackChoice } from "../../src/slack/ids.js";
import { renderPrompts, toMessages } from "../../src/slack/render.js";
import { decodeSlackText, slackSay } from "../../src/slack/text.js";
import type { Block } from "../helpers/fake-slack-server.js";

const i18n = createI18n({ localesDir: LOCALES_DIR });
const say = slackSay(i18n, "en");

function card(overrides: Partial<CardPrompt> = {}): CardPrompt {
  return {
    kind: "card",
    step: 9,
    cardId: "task-0",
    title: { key: "task.scenario_title", params: { position: 1, total: 2 } },
    messages: [{ role: "user", content: "Hello <there> & *friend*" }],
    responses: (["A", "B", "C", "D"] as const).map((label) => ({
      displayLabel: label,
      text: `Response ${label} text`,
    })),
    layout: "all",
    open: 0,
    readChoices: [],
    status: [],
    question: { key: "ranking.ask_world" },
    choices: ["A", "B", "C", "D"].map((label) => ({ id: `p:${label}`, label: { verbatim: label } })),
    summary: { key: "card.summary", params: { position: 1, total: 2 } },
    form: { blocks: ["world"], unacceptable: false, allowTies: true, maxChars: 2000, ratings: [] },
    ...overrides,
  };
}

/** A paged card showing response B, with its read buttons. */
function pagedCard(text: string): CardPrompt {
  const base = card();
  return {
    ...base,
    layout: "paged",
    open: 1,
    responses: base.responses.map((response) => (response.displayLabel === "B" ? { ...response, text } : response)),
    readChoices: (["A", "B", "C", "D"] as const).map((label, index) => ({
      id: readChoiceId(0, index),
      label: { verbatim: label },
    })),
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

const buttonsOf = (blocks: Block[]) => blocks.flatMap((block) => (block.type === "actions" ? block.elements : []));

describe("the card message", () => {
  it("holds the prompt, all four responses, the question and the step's buttons in one message", () => {
    const { messages, pages } = renderCard({ card: card(), head: [], page: 0 }, say);
    expect(messages).toHaveLength(1);
    expect(pages).toBe(1);
    const blocks = messages[0]?.blocks ?? [];
    expect(sectionTexts(blocks)).toEqual([
      "Hello <there> & *friend*",
      "Response A text",
      "Response B text",
      "Response C text",
      "Response D text",
      say({ key: "ranking.ask_world" }),
    ]);
    expect(cardIdOf(blocks)).toBe("task-0");
    // AI and participant text goes out as plain text: nothing to escape, nothing interpreted.
    expect(blocks.find((block) => block.type === "section")?.text).toEqual({
      type: "plain_text",
      text: "Hello <there> & *friend*",
      emoji: false,
    });
    const buttons = buttonsOf(blocks) as Block[];
    expect(buttons.map((button) => button.text.text)).toEqual(["A", "B", "C", "D", "Answer in one form"]);
    expect(buttons.slice(0, 4).map((button) => unpackChoice(String(button.action_id)))).toEqual(
      ["A", "B", "C", "D"].map((label) => ({ step: 9, choice: `p:${label}` })),
    );
    expect(buttons[4]).toMatchObject({ action_id: "chorus.form:9", value: "task-0", style: "primary" });
  });

  it("shows a paged card's open response with Read buttons, and a long one in parts of the same message", () => {
    const text = longAnswer(30_000);
    const parts: string[] = [];
    let pages = 0;
    for (let page = 0; pages === 0 || page < pages; page++) {
      const rendered = renderCard({ card: pagedCard(text), head: [], page }, say);
      pages = rendered.pages;
      expect(rendered.messages).toHaveLength(1);
      const blocks = rendered.messages[0]?.blocks ?? [];
      expect(blockTextLength(blocks)).toBeLessThanOrEqual(LIMITS.messageText);
      expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
      for (const section of sectionTexts(blocks)) expect(section.length).toBeLessThanOrEqual(LIMITS.sectionText);
      parts.push(
        sectionTexts(blocks)
          .filter((section) => section.startsWith("This sentence") || text.includes(section))
          .join(""),
      );
      const labels = (buttonsOf(blocks) as Block[]).map((button) => String(button.text.text));
      expect(labels.filter((label) => label.startsWith("Read "))).toEqual(["Read A", "Read B", "Read C", "Read D"]);
      expect(labels.includes("Next part ▶")).toBe(page < pages - 1);
      expect(labels.includes("◀ Previous part")).toBe(page > 0);
      // Only the open response is shown.
      expect(sectionTexts(blocks)).not.toContain("Response A text");
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(parts.join("")).toBe(text);
  });

  it("offers the form only when the whole card fits a modal", () => {
    const huge = longAnswer(70_000);
    const big = card({ responses: card().responses.map((response) => ({ ...response, text: huge })) });
    expect(cardFormFits(card(), say)).toBe(true);
    expect(cardFormFits(big, say)).toBe(false);
    const labels = (
      buttonsOf(renderCard({ card: big, head: [], page: 0 }, say).messages[0]?.blocks ?? []) as Block[]
    ).map((button) => button.text.text);
    expect(labels).not.toContain("Answer in one form");
    expect(cardFormFits(card({ form: undefined }), say)).toBe(false);
  });

  it("puts lines in front of the card in its message, or in their own message when they leave too little room", () => {
    const short = renderCard(
      { card: card(), head: [{ type: "section", text: { type: "plain_text", text: "Saved." } }], page: 0 },
      say,
    );
    expect(short.messages).toHaveLength(1);
    expect(sectionTexts(short.messages[0]?.blocks ?? [])[0]).toBe("Saved.");
    const long = Array.from({ length: 4 }, () => sections("x".repeat(2500))).flat();
    const split = renderCard({ card: card(), head: long, page: 0 }, say);
    expect(split.messages).toHaveLength(2);
    expect(cardIdOf(split.messages[1]?.blocks ?? [])).toBe("task-0");
  });
});

describe("the card form", () => {
  it("turns ranks into a ranking in display letters: equal ranks tie, a letter without a rank is left out", () => {
    expect(rankingText([2, 1, 4, 3])).toBe("B>A>D>C");
    expect(rankingText([1, 1, 3, 3])).toBe("A=B>C=D");
    expect(rankingText([1, Number.NaN, 2, 2])).toBe("A>C=D");
  });

  it("reads a submission's values into the engine's whole-card input", () => {
    const metadata = {
      step: 4,
      cardId: "task-0",
      channel: "D1",
      locale: "en",
      blocks: ["world", "personal"] as ("world" | "personal")[],
      unacceptable: true,
      ratings: ["importance"],
    };
    expect(unpackFormMetadata(packFormMetadata(metadata))).toEqual(metadata);
    expect(unpackFormMetadata("{not json")).toBeUndefined();
    const radio = (value: string) => ({ rank: { type: "radio_buttons", selected_option: { value } } });
    const values = {
      world_rank_0: radio("1"),
      world_rank_1: radio("2"),
      world_rank_2: radio("2"),
      world_rank_3: radio("4"),
      world_rationale: { text: { type: "plain_text_input", value: "Because." } },
      personal_rank_0: radio("4"),
      personal_rank_1: radio("3"),
      personal_rank_2: radio("2"),
      personal_rank_3: radio("1"),
      personal_rationale: { text: { type: "plain_text_input", value: null } },
      unacceptable: { labels: { type: "checkboxes", selected_options: [{ value: "D" }] } },
      unacceptable_rationale: { text: { type: "plain_text_input", value: "Harmful." } },
      rating_importance: { option: { type: "radio_buttons", selected_option: { value: "4" } } },
    };
    expect(submissionFromForm(values, metadata)).toEqual({
      kind: "card_submit",
      step: 4,
      rankings: { world: "A>B=C>D", personal: "D>C>B>A" },
      rationales: { world: "Because.", personal: "" },
      ratings: { importance: "4" },
      unacceptable: ["D"],
      unacceptableRationale: "Harmful.",
    });
  });
});

describe("renderPrompts", () => {
  it("packs the step and the choice into each button's action id", () => {
    const { body } = renderPrompts(
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
    const buttons = buttonsOf(body);
    expect(
      buttons.map((button) => ("action_id" in button ? unpackChoice(String(button.action_id)) : undefined)),
    ).toEqual([
      { step: 42, choice: "yes" },
      { step: 42, choice: "no" },
    ]);
  });

  it("numbers choices whose labels are longer than a button allows, listing them in full", () => {
    const long = "An option written at such length that it could never fit on a Slack button of 75 characters";
    const { body } = renderPrompts(
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
    expect(sectionTexts(body).join("\n")).toContain(`1. ${long}\n2. Short`);
    expect(buttonsOf(body).map((element) => ("text" in element ? element.text?.text : ""))).toEqual(["1", "2"]);
  });

  it("sorts prompts by where they go: notices, closed cards, the messages with the question, the card", () => {
    const choices = Array.from({ length: 30 }, (_, index) => ({ id: `c${index}`, label: { verbatim: `C${index}` } }));
    const rendered = renderPrompts(
      [
        { kind: "notice", text: { key: "errors.stale" } },
        { kind: "card_closed", cardId: "task-0", summary: { verbatim: "Scenario 1 saved." } },
        { kind: "message", text: { verbatim: "Before" } },
        { kind: "question", step: 1, text: { verbatim: "Which?" }, choices },
        card({ cardId: "task-1" }),
      ],
      say,
      "en",
    );
    expect(rendered.notices).toEqual([say({ key: "errors.stale" })]);
    expect(rendered.closed).toEqual([{ cardId: "task-0", summary: "Scenario 1 saved." }]);
    expect(sectionTexts(rendered.body)).toEqual(["Before", "Which?"]);
    expect(rendered.body.filter((block) => block.type === "actions").map((block) => block.elements.length)).toEqual([
      25, 5,
    ]);
    expect(rendered.card?.cardId).toBe("task-1");
    expect(toMessages(rendered.body)).toHaveLength(1);
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
