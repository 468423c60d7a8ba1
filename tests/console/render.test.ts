import { describe, expect, it } from "vitest";
import { renderForTerminal } from "../../src/console/render.js";
import type { CardPrompt } from "../../src/core/flow/prompts.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { choose, fakeContext, miniStudy, rankAndConfirm, reason, walk } from "../helpers/flow.js";

const i18n = createI18n({ localesDir: LOCALES_DIR });
const ctx = fakeContext(miniStudy({ assignment: { scenariosPerParticipant: 2, longFormTasks: 0 } }));
const START = [choose("en"), choose("yes"), choose("yes"), choose("18-24"), choose("KE"), choose("go")];

describe("the card on the terminal", () => {
  it("prints the prompt and every response once, then only what changes while the same card stays", () => {
    const first = walk(ctx, START);
    const whole = renderForTerminal(first.prompts, i18n, "en");
    expect(whole.text).toContain("Prompt s");
    expect(whole.text).toContain("── Response D ──");
    const card = first.prompts.find((prompt): prompt is CardPrompt => prompt.kind === "card");
    expect(whole.shownCard).toBe(`${card?.cardId}:0`);

    const next = walk(ctx, [choose("p:B")], first.state ?? undefined);
    const compact = renderForTerminal(next.prompts, i18n, "en", { shownCard: whole.shownCard ?? "" });
    expect(compact.text).not.toContain("── Response");
    expect(compact.text).toContain("So far: B.");
    expect(compact.menu?.choices.map((choice) => choice.id)).toContain("p:A");

    // The next scenario's card is new: printed whole again.
    const saved = walk(
      ctx,
      [...rankAndConfirm(["p:A", "p:C"]), ...reason("Short form reasons.")],
      next.state ?? undefined,
    );
    const again = renderForTerminal(saved.prompts, i18n, "en", { shownCard: whole.shownCard ?? "" });
    expect(again.text).toContain("✓ Scenario 1 of 2 saved");
    expect(again.text).toContain("── Response D ──");
    expect(again.shownCard).toBe("task-1:0");
  });
});
