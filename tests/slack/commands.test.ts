import { afterEach, describe, expect, it } from "vitest";
import { addStaff } from "../../src/staff/staff.js";
import { messageText, type SlackHarness, startSlackHarness } from "../helpers/slack-harness.js";

let h: SlackHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const participant = (harness: SlackHarness, userId: string) =>
  harness.database.sqlite
    .prepare("SELECT status, locale FROM participants WHERE platform = 'slack' AND platform_user_id = ?")
    .get(userId);

describe("/chorus", () => {
  it("answers help, progress and language in the DM, with the Slack names of the commands", async () => {
    h = await startSlackHarness();
    const lee = h.user("U0LEE");
    await lee.start();
    await lee.press("en");

    const help = await lee.command("");
    expect(help).toEqual({ status: 200, body: "" });
    const helpText = messageText(lee.lastMessage);
    expect(helpText).toContain("/chorus help");
    expect(helpText).toContain("/chorus withdraw");
    // Help shows the current question again, with buttons that work.
    expect(helpText).toContain("Do you agree to take part?");

    // Progress answers, then asks the current question again, its buttons below the answer.
    await lee.command("progress");
    expect(messageText(lee.lastMessage)).toContain(h.i18n.render("en", { key: "progress.not_started" }));
    expect(messageText(lee.lastMessage)).toContain("Do you agree to take part?");
    expect(lee.buttons()).toEqual(["I agree", "No, thanks"]);

    // App Home shows the progress answer alone; the question itself stays in the DM.
    await lee.openHome();
    const home = messageText(h.fake.homes.get("U0LEE") ?? {});
    expect(home).toContain(h.i18n.render("en", { key: "progress.not_started" }));
    expect(home).not.toContain("You agree to rank AI responses");

    await lee.command("language");
    await lee.press("es");
    expect(participant(h, "U0LEE")).toEqual({ status: "active", locale: "es" });
    expect(h.fake.responses).toEqual([]);
  });

  it("answers a command typed in a channel in the DM, with an ephemeral pointer there", async () => {
    h = await startSlackHarness();
    const max = h.user("U0MAX");
    await max.command("progress", "C0GENERAL");
    expect(max.messages.length).toBeGreaterThan(0);
    expect(h.fake.responses).toEqual([
      { response_type: "ephemeral", text: h.i18n.render("en", { key: "slack.see_dm" }) },
    ]);
  });

  it("pauses, resumes and withdraws (deleting everything) through subcommands", async () => {
    h = await startSlackHarness();
    const nia = h.user("U0NIA");
    await nia.start();
    await nia.press("en");
    await nia.command("pause");
    expect(messageText(nia.lastMessage)).toContain("/chorus resume");
    expect(participant(h, "U0NIA")).toMatchObject({ status: "paused" });
    await nia.command("resume");
    expect(participant(h, "U0NIA")).toMatchObject({ status: "active" });
    await nia.command("withdraw");
    await nia.press("yes");
    expect(participant(h, "U0NIA")).toBeUndefined();
    expect(messageText(nia.lastMessage)).toBe(h.i18n.render("en", { key: "withdraw.done" }));
  });

  it("shows stats to staff only", async () => {
    h = await startSlackHarness();
    const outsider = h.user("U0OTTO");
    const refused = await outsider.command("stats");
    expect(JSON.parse(refused.body)).toEqual({
      response_type: "ephemeral",
      text: h.i18n.render("en", { key: "staff.not_allowed" }),
    });

    await h.user("U0PIA").start();
    addStaff(h.database.sqlite, { platform: "slack", userId: "U0STAFF" }, "researcher", {
      id: "cli:test",
      origin: "cli",
    });
    // A Telegram staff member with the same id is not Slack staff.
    addStaff(h.database.sqlite, { platform: "telegram", userId: "42" }, "admin", { id: "cli:test", origin: "cli" });
    const stats = JSON.parse((await h.user("U0STAFF").command("stats")).body);
    expect(stats.response_type).toBe("ephemeral");
    const shown = messageText(stats);
    expect(shown).toContain("Participants by status");
    expect(shown).toContain("Study mini");
    expect(shown).toContain("active: 1");
    expect(shown).toContain("Assessments: 0");
    // Stats go to the staff member only: nothing posted, nobody created.
    expect(h.fake.messagesIn(h.fake.dmOf("U0STAFF"))).toEqual([]);
    expect(participant(h, "U0STAFF")).toBeUndefined();
  });
});
