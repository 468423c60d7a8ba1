import { afterEach, describe, expect, it } from "vitest";
import { displayToCanonical, type Label } from "../../src/core/labels.js";
import { displayRankingToCanonical, formatRanking, parseRanking } from "../../src/core/ranking.js";
import { sampleStudy } from "../helpers/flow.js";
import { messageText, type SlackHarness, startSlackHarness } from "../helpers/slack-harness.js";
import {
  type Act,
  answerCardByMessages,
  type CardAnswers,
  formAnswers,
  formParts,
  liveMessage,
  onboard,
} from "../helpers/slack-participant.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const WRITES = ["chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.publish"];
const writes = (harness: SlackHarness) => harness.fake.calls.filter((call) => WRITES.includes(call.method)).length;

/** What the participant answers on scenario `index` (the first is the long form). */
function answersFor(index: number): CardAnswers {
  return {
    ranking: index === 0 ? ["B", "=A", "D", "C"] : ["D", "A", "C", "B"],
    personalRanking: ["A", "B", "C", "D"],
    reasons: {
      world: `Scenario ${index + 1}: the best answer helps without lecturing and is honest about limits.`,
      personal: "For me the plainest answer is the most useful one, even if it is short.",
      unacceptable: "It invents facts and pushes the person towards harm.",
    },
    unacceptable: ["C"],
  };
}

function canonical(display: string[], shownOrder: string): string {
  const text = display.map((entry, index) => (index === 0 || entry.startsWith("=") ? entry : `>${entry}`)).join("");
  const parsed = parseRanking(text);
  if (!parsed.ok) throw new Error(`bad ranking ${text}`);
  return formatRanking(displayRankingToCanonical(parsed.ranking, shownOrder));
}

/** Every row the sample study leaves for one participant who answered as `answersFor` says. */
function expectSampleRows(harness: SlackHarness, userId: string): void {
  const sqlite = harness.database.sqlite;
  const participant = sqlite
    .prepare<[string], { id: string; status: string; consent_version: string }>(
      "SELECT id, status, consent_version FROM participants WHERE platform = 'slack' AND platform_user_id = ?",
    )
    .get(userId);
  expect(participant).toMatchObject({ status: "completed", consent_version: "2026-11" });
  const id = String(participant?.id);
  expect(
    sqlite.prepare("SELECT count(*) AS n FROM screening_answers WHERE participant_id = ? AND passed = 1").get(id),
  ).toEqual({ n: harness.study.screening.length });
  expect(sqlite.prepare("SELECT count(*) AS n FROM profile_answers WHERE participant_id = ?").get(id)).toEqual({
    n: harness.study.profile.length,
  });
  const rows = sqlite
    .prepare<
      [string],
      {
        id: number;
        form: string;
        shown_order: string;
        layout: string;
        opens: string;
        unacceptable_labels: string | null;
        unacceptable_rationale: string | null;
      }
    >(
      `SELECT a.id, g.form, g.shown_order, a.layout, a.opens, a.unacceptable_labels, a.unacceptable_rationale
       FROM assessments a JOIN assignments g ON g.id = a.assignment_id WHERE a.participant_id = ? ORDER BY g.position`,
    )
    .all(id);
  expect(rows.map((row) => row.form)).toEqual(["long", "short", "short", "short"]);
  rows.forEach((row, index) => {
    const answers = answersFor(index);
    // Every response was on the card (or in the form) from the start: read once each before ranking.
    expect(row.layout).toBe("all");
    expect(JSON.parse(row.opens)).toEqual({ A: 1, B: 1, C: 1, D: 1 });
    const blocks = sqlite
      .prepare(
        "SELECT block, ranking, rationale, rationale_parts FROM ranking_blocks WHERE assessment_id = ? ORDER BY block DESC",
      )
      .all(row.id);
    const world = {
      block: "world",
      ranking: canonical(answers.ranking, row.shown_order),
      rationale: answers.reasons.world,
      rationale_parts: 1,
    };
    if (row.form === "long") {
      expect(blocks).toEqual([
        world,
        {
          block: "personal",
          ranking: canonical(answers.personalRanking ?? [], row.shown_order),
          rationale: answers.reasons.personal,
          rationale_parts: 1,
        },
      ]);
      expect(JSON.parse(String(row.unacceptable_labels))).toEqual([displayToCanonical(row.shown_order, "C" as Label)]);
      expect(row.unacceptable_rationale).toBe(answers.reasons.unacceptable);
    } else {
      expect(blocks).toEqual([world]);
      expect(row.unacceptable_labels).toBeNull();
    }
  });
}

describe("the sample study on Slack", () => {
  it("is taken whole in the message flow: one card per scenario, edited in place, every answer stored", async () => {
    const study = sampleStudy();
    h = await startSlackHarness({ study });
    const harness = h;
    const user = harness.user("U0SAMPLE");
    await user.start();
    const clicks: { writes: number; posts: number }[] = [];
    const act = async ({ kind, run }: Act) => {
      const before = { writes: writes(harness), posts: harness.fake.callsOf("chat.postMessage").length };
      await run();
      if (kind === "click") {
        clicks.push({
          writes: writes(harness) - before.writes,
          posts: harness.fake.callsOf("chat.postMessage").length - before.posts,
        });
      }
    };
    await onboard(user, study, act);
    for (let index = 0; index < 4; index++) {
      clicks.length = 0;
      const posted = harness.fake.callsOf("chat.postMessage").length;
      await answerCardByMessages(user, answersFor(index), act);
      // Every click on the card is one Web API write, never a post; only typed reasons move the card down.
      expect(clicks.every((click) => click.writes === 1 && click.posts === 0)).toBe(true);
      // Short form: three letters (the fourth placed by itself), confirm, Done after the typed reason.
      // Long form: that for both blocks, then one response marked and Done after its typed reason.
      const long = index === 0;
      expect(clicks).toHaveLength(long ? 12 : 5);
      // New messages: the card again below each typed reason, nothing else.
      expect(harness.fake.callsOf("chat.postMessage").length - posted).toBe(long ? 3 : 1);
    }
    expect(messageText(user.lastMessage)).toContain("CHORUS-SAMPLE-7F3K");
    expect(liveMessage(user)).toBeUndefined();
    expect(harness.fake.calls.filter((call) => call.status !== 200 || call.error)).toEqual([]);
    expectSampleRows(harness, "U0SAMPLE");
  });

  it("is taken whole in the card form: a refused field is shown on its input, fixed, and the DM moves on", async () => {
    const study = sampleStudy();
    h = await startSlackHarness({ study });
    const harness = h;
    const user = harness.user("U0FORM");
    await user.start();
    await onboard(user, study, ({ run }) => run().then(() => undefined));
    for (let index = 0; index < 4; index++) {
      const card = user.card;
      const before = harness.fake.calls.length;
      const view = await user.openForm();
      // The form opens with views.open alone: nothing else was needed first.
      expect(harness.fake.calls.slice(before).map((call) => call.method)).toEqual(["views.open"]);
      const parts = formParts(view);
      expect(parts).toMatchObject(
        index === 0 ? { personal: true, unacceptable: true } : { personal: false, unacceptable: false },
      );
      const answers = formAnswers(answersFor(index), parts);
      if (index === 0) {
        // Too short a reason and an unexplained mark: each problem on its own input, the form stays open.
        const refused = await user.submitForm(view, {
          ...answers,
          world: { ranks: answers.world?.ranks ?? {}, reason: "ok" },
          unacceptableReason: "",
        });
        expect(JSON.parse(refused.body)).toEqual({
          response_action: "errors",
          errors: {
            world_rationale: harness.i18n.render("en", { key: "rationale.too_short", params: { min: 20 } }),
            unacceptable_rationale: harness.i18n.render("en", { key: "rationale.empty" }),
          },
        });
        expect(harness.database.sqlite.prepare("SELECT count(*) AS n FROM assessments").get()).toEqual({ n: 0 });
      }
      const posted = harness.fake.callsOf("chat.postMessage").length;
      const accepted = await user.submitForm(view, answers);
      expect(accepted).toEqual({ status: 200, body: "" });
      // The DM card turns into the next one in place, headed by the saved one's summary: one write, no post.
      const turned = user.messages.find((message) => message.ts === card.ts);
      expect(messageText(turned ?? { blocks: [] })).toContain(`✓ Scenario ${index + 1} of 4 saved`);
      expect(turned?.blocks.some((block) => block.type === "actions")).toBe(index < 3);
      expect(harness.fake.callsOf("chat.postMessage").length - posted).toBe(0);
    }
    expect(messageText(user.lastMessage)).toContain("CHORUS-SAMPLE-7F3K");
    expect(harness.fake.calls.filter((call) => call.status !== 200 || call.error)).toEqual([]);
    expectSampleRows(harness, "U0FORM");
  });
});
