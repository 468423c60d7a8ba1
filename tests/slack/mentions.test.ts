import { afterEach, describe, expect, it } from "vitest";
import { type SlackHarness, startSlackHarness } from "../helpers/slack-harness.js";

/**
 * A rationale typed in the Slack DM with mentions in it: Slack sends
 * `<@U0CAROL>` and `<#C0TEAM|general>`; the research data holds "@someone"
 * and "#general", never the ids.
 */
let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("mentions in a Slack rationale", () => {
  it("are stored without the Slack ids", async () => {
    h = await startSlackHarness();
    const user = h.user("U0MENTION");
    await user.openHome();
    await user.pressHome();
    for (const choice of ["en", "yes", "hot", "18-29", "US", "go"]) await user.press(choice);
    const rank = async () => {
      for (const choice of ["p:B", "p:A", "p:D", "ok"]) await user.press(choice);
    };
    await rank();
    // The world and personal rationales are typed in the DM (the first long-form scenario asks both).
    await user.type(
      "Like <@U0CAROL> said in <#C0TEAM|general> and <!here>: the second one is careful and honest, the others are not.",
    );
    await user.press("done");
    await rank();
    await user.type("I would pick the careful one too, as <@U0CAROL|carol> and <!subteam^S0OPS|@ops> would.");
    await user.press("done");
    await user.press("none");

    const rationales = h.database.sqlite
      .prepare("SELECT rationale FROM ranking_blocks ORDER BY block DESC")
      .pluck()
      .all();
    expect(rationales).toEqual([
      "Like @someone said in #general and @here: the second one is careful and honest, the others are not.",
      "I would pick the careful one too, as @someone and @ops would.",
    ]);
    const everything = JSON.stringify(
      h.database.sqlite
        .prepare("SELECT * FROM ranking_blocks JOIN assessments ON assessments.id = assessment_id")
        .all(),
    );
    expect(everything).not.toContain("U0CAROL");
    expect(everything).not.toContain("C0TEAM");
    expect(everything).not.toContain("S0OPS");
    // Nor the name Slack put beside the id: another person's name is no more research data than their id.
    expect(everything).not.toContain("carol");
  });
});
