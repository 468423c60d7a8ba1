import { afterEach, describe, expect, it } from "vitest";
import { messageText, type SlackHarness, type SlackTestUser, startSlackHarness } from "../helpers/slack-harness.js";

/**
 * Typed countries in Slack, through signed requests and the fake Web API: a
 * name in any language typed in the DM is taken, a close misspelling gets
 * "Did you mean …?" with buttons, and the database holds the ISO code.
 */
let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function toCountryQuestion(user: SlackTestUser, locale = "en"): Promise<void> {
  await user.openHome();
  await user.pressHome();
  for (const choice of [locale, "yes", "hot", "18-29"]) await user.press(choice);
}

function storedCountry(harness: SlackHarness, userId: string): unknown {
  return harness.database.sqlite
    .prepare(
      `SELECT value FROM profile_answers JOIN participants ON participants.id = profile_answers.participant_id
       WHERE participants.platform = 'slack' AND participants.platform_user_id = ? AND question_id = 'country_of_residence'`,
    )
    .pluck()
    .get(userId);
}

describe("typed countries in Slack", () => {
  it("takes a country typed in the DM by its name in another language", async () => {
    h = await startSlackHarness();
    const user = h.user("U0PLACEONE");
    await toCountryQuestion(user);
    expect(user.buttons()).toEqual(["United States", "Mexico", "Other (type it)", "Prefer not to say"]);
    await user.type("Deutschland");
    expect(storedCountry(h, "U0PLACEONE")).toBe("DE");
    expect(messageText(user.lastMessage)).toContain("You have 2 scenarios. Ready?");
  });

  it("offers the country a misspelling is close to, and stores its code once confirmed", async () => {
    h = await startSlackHarness();
    const user = h.user("U0PLACETWO");
    await toCountryQuestion(user);
    await user.press("other");
    await user.type("Kenyq");
    expect(messageText(user.lastMessage)).toContain("Did you mean Kenya?");
    expect(user.buttons()).toEqual(["Yes", "Type it again", "Prefer not to say"]);
    expect(storedCountry(h, "U0PLACETWO")).toBeUndefined();
    await user.press("yes");
    expect(storedCountry(h, "U0PLACETWO")).toBe("KE");
    expect(messageText(user.lastMessage)).toContain("You have 2 scenarios. Ready?");
  });

  it("asks in Arabic, naming the place in Arabic, and takes an Arabic name", async () => {
    h = await startSlackHarness();
    const user = h.user("U0PLACEAR");
    await toCountryQuestion(user, "ar");
    await user.type("Germny");
    expect(messageText(user.lastMessage)).toContain("هل تقصد");
    expect(messageText(user.lastMessage)).toContain("ألمانيا");
    await user.press("retype");
    await user.type("مصر");
    expect(storedCountry(h, "U0PLACEAR")).toBe("EG");
  });
});
