import { afterEach, describe, expect, it } from "vitest";
import { slackSay } from "../../src/slack/text.js";
import { messageText, type SlackHarness, startSlackHarness } from "../helpers/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Every row of every table that mentions `needle` (a Slack user id must not survive a withdrawal). */
function rowsMentioning(harness: SlackHarness, needle: string): string[] {
  const tables = harness.database.sqlite
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((table) => table.name);
  return tables.flatMap((table) =>
    harness.database.sqlite
      .prepare(`SELECT * FROM "${table}"`)
      .all()
      .map((row) => `${table}: ${JSON.stringify(row)}`)
      .filter((row) => row.includes(needle)),
  );
}

describe("withdrawal on Slack", () => {
  it("is final: old buttons, double presses, replays and typing store nothing; only an explicit start comes back", async () => {
    h = await startSlackHarness();
    const say = slackSay(h.i18n, "en");
    const ada = h.user("U0ADA");
    await ada.start();
    for (const choice of ["en", "yes", "hot", "18-29", "US", "go", "p:A"]) await ada.press(choice);
    const card = structuredClone(ada.card);
    expect(rowsMentioning(h, "U0ADA")).toHaveLength(1);
    await ada.command("withdraw");
    const question = structuredClone(ada.lastMessage);
    await ada.press("yes");
    expect(messageText(ada.lastMessage)).toBe(say({ key: "withdraw.done" }));
    expect(rowsMentioning(h, "U0ADA")).toEqual([]);

    const gone = say({ key: "withdraw.gone" });
    expect(gone).toContain("/chorus start");
    const answers = () => ada.messages.slice(-1).map((message) => messageText(message));
    // "Yes, delete everything" pressed again (a double press), then the same payload replayed.
    await ada.press("yes", question);
    expect(answers()).toEqual([gone]);
    await ada.press("yes", question);
    expect(answers()).toEqual([gone]);
    // A button of the old card, as an unrefreshed client still shows it.
    await ada.press("p:B", card);
    expect(answers()).toEqual([gone]);
    // Typing, a file, commands: told how to begin (or that nothing is held), never made a participant.
    await ada.type("hello again");
    expect(answers()).toEqual([say({ key: "start.how_to_begin" })]);
    await ada.shareFile();
    expect(answers()).toEqual([say({ key: "start.how_to_begin" })]);
    await ada.command("progress");
    expect(answers()).toEqual([say({ key: "start.how_to_begin" })]);
    await ada.command("mydata");
    expect(answers()).toEqual([say({ key: "mydata.none" })]);
    await ada.openHome();
    expect(messageText(h.fake.homes.get("U0ADA") ?? {})).toContain("Start");
    expect(rowsMentioning(h, "U0ADA")).toEqual([]);
    // Nothing the app sent still offers a button that would do something.
    expect(ada.messages.filter((message) => message.blocks.some((block) => block.type === "actions"))).toEqual([]);

    // Only `/chorus start` (or App Home's Start, or a recruitment button) begins again.
    await ada.start();
    expect(messageText(ada.lastMessage)).toContain("Which language");
    expect(h.database.sqlite.prepare("SELECT count(*) AS n FROM participants").get()).toEqual({ n: 1 });
  });
});
