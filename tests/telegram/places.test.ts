import { describe, expect, it } from "vitest";
import { type TelegramHarness, type TestUser, useTelegramHarness } from "../helpers/telegram-harness.js";

/**
 * Typed countries on Telegram, through the fake Bot API: a name in any
 * language is taken, a close misspelling gets "Did you mean …?" with
 * buttons, and the database holds the ISO code.
 */
const startHarness = useTelegramHarness();

async function toCountryQuestion(user: TestUser, language = "English", agree = "I agree"): Promise<void> {
  await user.start();
  await user.press(language);
  await user.press(agree);
  await user.press("hot");
  await user.press("18–29");
}

function storedCountry(harness: TelegramHarness, user: TestUser): unknown {
  const participant = user.participant();
  if (!participant) throw new Error("no participant");
  return harness.db.sqlite
    .prepare("SELECT value FROM profile_answers WHERE participant_id = ? AND question_id = 'country_of_residence'")
    .pluck()
    .get(participant.id);
}

describe("typed countries on Telegram", () => {
  it("takes a country typed by name instead of pressing a button", async () => {
    const harness = await startHarness();
    const user = harness.user(3001, { languageCode: "en" });
    await toCountryQuestion(user);
    expect(user.buttons()).toEqual(["United States", "Mexico", "Other (type it)", "Prefer not to say"]);
    await user.send("UK");
    expect(storedCountry(harness, user)).toBe("GB");
    expect(user.lastBotMessage.text).toContain("You have 2 scenarios. Ready?");
  });

  it("offers the country a misspelling is close to, and stores its code once confirmed", async () => {
    const harness = await startHarness();
    const user = harness.user(3002, { languageCode: "en" });
    await toCountryQuestion(user);
    await user.press("Other (type it)");
    expect(user.lastBotMessage.text).toBe("Please type the name of the country (or its two-letter code, e.g. KE).");
    await user.send("Kenyq");
    expect(user.lastBotMessage.text).toBe("Did you mean Kenya?");
    expect(user.buttons()).toEqual(["Yes", "Type it again", "Prefer not to say"]);
    expect(storedCountry(harness, user)).toBeUndefined();

    await user.press("Type it again");
    expect(user.lastBotMessage.text).toBe("Please type the name of the country (or its two-letter code, e.g. KE).");
    await user.send("Kenyq");
    const suggestion = user.lastBotMessage;
    const yes = suggestion.keyboard?.flat().find((button) => button.text === "Yes");
    if (!yes) throw new Error("no Yes button on the suggestion");
    await user.press("Yes");
    expect(storedCountry(harness, user)).toBe("KE");
    expect(user.lastBotMessage.text).toContain("You have 2 scenarios. Ready?");
    // The suggestion's buttons are out of date now: pressing Yes again changes nothing.
    await user.pressData(suggestion.messageId, yes.callback_data);
    expect(storedCountry(harness, user)).toBe("KE");
  });

  it("asks in the participant's language and takes names in its script", async () => {
    const harness = await startHarness();
    const user = harness.user(3003, { languageCode: "ja" });
    await toCountryQuestion(user, "日本語", "同意する");
    await user.send("Germny");
    expect(user.lastBotMessage.text).toBe("ドイツのことですか？");
    expect(user.buttons()).toEqual(["はい", "入力し直す", "回答しない"]);
    await user.send("ケニア");
    expect(storedCountry(harness, user)).toBe("KE");
  });
});
