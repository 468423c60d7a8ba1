import { describe, expect, it } from "vitest";
import { unpackCallbackData } from "../../src/telegram/callback-data.js";
import { type TelegramHarness, type TestUser, useTelegramHarness } from "../helpers/telegram-harness.js";

const startHarness = useTelegramHarness();

/** Every row of every table, as text: where a platform id would show if any were kept. */
function everyRow(harness: TelegramHarness): string {
  const tables = harness.db.sqlite
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all();
  return tables
    .map(({ name }) => JSON.stringify(harness.db.sqlite.prepare(`SELECT * FROM "${name}"`).all()))
    .join("\n");
}

/** The data of the button for `choice` on the newest message offering it. */
function buttonFor(user: TestUser, choice: string): { messageId: number; data: string } {
  for (const message of [...user.botMessages].reverse()) {
    for (const button of message.keyboard?.flat() ?? []) {
      const action = unpackCallbackData(button.callback_data);
      if (action?.kind === "choice" && action.choice === choice)
        return { messageId: message.messageId, data: button.callback_data };
    }
  }
  throw new Error(`no button for ${choice}`);
}

describe("withdrawal on Telegram is final", () => {
  it("answers old buttons, a double press and a replay with 'You have withdrawn', in their language, and stores nothing", async () => {
    const harness = await startHarness();
    const una = harness.user(777_001, { languageCode: "en" });
    await una.start("flyer");
    for (const label of ["English", "I agree", "hot", "18–29", "United States", "Start"]) await una.press(label);
    await una.press("B");
    await una.send("/language");
    await una.press("Español");
    const card = una.lastBotMessage;
    const letter = buttonFor(una, "p:A");
    expect(letter.messageId).toBe(card.messageId);
    await una.send("/withdraw");
    expect(una.lastBotMessage.text).toBe(harness.i18n.render("es", { key: "withdraw.confirm" }));
    const yes = buttonFor(una, "yes");

    // Yes, pressed twice before the first press was handled.
    const first = harness.server.buttonPress(una.profile, yes.messageId, yes.data);
    const second = harness.server.buttonPress(una.profile, yes.messageId, yes.data);
    await Promise.all([harness.handled(first.update_id), harness.handled(second.update_id)]);
    const gone = harness.i18n.render("es", { key: "withdraw.gone" });
    expect(una.botMessages.slice(-2).map((message) => message.text)).toEqual([
      harness.i18n.render("es", { key: "withdraw.done" }),
      gone,
    ]);
    expect(una.participant()).toBeUndefined();

    // An old card button: answered, and the card loses its buttons.
    await una.pressData(letter.messageId, letter.data);
    expect(una.lastBotMessage.text).toBe(gone);
    expect(una.message(card.messageId).keyboard).toBeUndefined();
    // The first "yes" delivered again by Telegram.
    harness.server.redeliver(first);
    await harness.handled(first.update_id, 2);
    expect(una.lastBotMessage.text).toBe(gone);
    // Typing is no start either.
    await una.send("hello?");
    expect(una.lastBotMessage.text).toBe(harness.i18n.render("es", { key: "start.how_to_begin" }));

    expect(harness.db.sqlite.prepare("SELECT count(*) AS n FROM participants").get()).toEqual({ n: 0 });
    expect(harness.db.sqlite.prepare("SELECT count(*) AS n FROM flow_states").get()).toEqual({ n: 0 });
    expect(everyRow(harness)).not.toContain(String(una.id));
    expect(harness.server.unansweredQueries()).toEqual([]);

    // Only an explicit /start makes them a participant again.
    await una.start();
    expect(una.participant()).toMatchObject({ status: "active", source: null });
  });
});
