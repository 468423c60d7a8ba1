import { describe, expect, it } from "vitest";
import { useTelegramHarness, walkThroughSurvey } from "../helpers/telegram-harness.js";

const startHarness = useTelegramHarness();

describe("/mydata", () => {
  it("shows the participant's answers: option labels in their language, rankings in the letters they saw, rationales", async () => {
    const harness = await startHarness();
    const kim = harness.user(7401);
    // Ranks by display letter: B, then A tied with it, then D, then C.
    await walkThroughSurvey(kim, { rationale: "The second one is careful and honest, the others are not." });
    await kim.send("/mydata");
    const shown = kim.lastBotMessage.text;
    expect(shown).toContain("• Screening question 1 — hot");
    expect(shown).toContain("• How old are you? — 18–29");
    expect(shown).toContain("• Which country do you live in? — United States");
    expect(shown).toContain("Scenarios answered: 2");
    expect(shown.match(/Your ranking for everyone: A = B > D > C/g)).toHaveLength(2);
    expect(shown).toContain("Why: The second one is careful and honest, the others are not.");
    expect(shown).not.toContain("age_band");
    expect(shown).not.toContain(String(kim.id));

    await kim.send("/language");
    await kim.press("Español");
    await kim.send("/mydata");
    const spanish = kim.lastBotMessage.text;
    expect(spanish).toContain("• ¿Cuántos años tienes? — 18–29");
    expect(spanish).toContain("Su orden pensando en todos: A = B > D > C");
  });
});
