import { describe, expect, it } from "vitest";
import { FAULTS } from "../helpers/fake-telegram-server.js";
import { useTelegramHarness, walkThroughSurvey } from "../helpers/telegram-harness.js";

const startHarness = useTelegramHarness();

describe("Telegram reliability", () => {
  it("marks a participant who blocked the bot unreachable when a send fails with 403", async () => {
    const harness = await startHarness();
    const ann = harness.user(4001);
    await ann.start();
    await ann.press("English");
    expect(ann.participant()?.status).toBe("active");
    harness.server.block(ann.id);
    const sends = harness.server.callsOf("sendMessage").length;
    await ann.press("I agree");
    expect(ann.participant()?.status).toBe("unreachable");
    // The 403 is not answered with an error message (nobody could read it): one failed send only.
    const after = harness.server.callsOf("sendMessage").slice(sends);
    expect(after.map((call) => call.status)).toEqual([403]);
    // The answer itself was recorded: consent given before the reply failed.
    const consent = harness.db.sqlite
      .prepare("SELECT consent_version FROM participants WHERE platform_user_id = ?")
      .get(String(ann.id));
    expect(consent).toEqual({ consent_version: "2026-01" });
  });

  it("follows my_chat_member: kicked → unreachable, member → back to the status the journey implies", async () => {
    const harness = await startHarness();
    const ben = harness.user(4002);
    await ben.start();
    await ben.send("/pause");
    expect(ben.participant()?.status).toBe("paused");
    const kicked = harness.server.chatMember(ben.profile, "kicked");
    await harness.handled(kicked.update_id);
    expect(ben.participant()?.status).toBe("unreachable");
    const member = harness.server.chatMember(ben.profile, "member");
    await harness.handled(member.update_id);
    expect(ben.participant()?.status).toBe("paused");

    // A member update for someone who was not unreachable changes nothing.
    await ben.send("/resume");
    expect(ben.participant()?.status).toBe("active");
    const again = harness.server.chatMember(ben.profile, "member");
    await harness.handled(again.update_id);
    expect(ben.participant()?.status).toBe("active");
  });

  it("retries a 429 in the middle of a session after retry_after and loses nothing", async () => {
    const harness = await startHarness();
    const cal = harness.user(4003);
    let injected = 0;
    await walkThroughSurvey(cal, {
      beforeEach: (step) => {
        if (step === 9) {
          harness.server.failNext("editMessageText", FAULTS.tooManyRequests(1));
          injected++;
        }
        if (step === 16) {
          harness.server.failNext("sendMessage", FAULTS.tooManyRequests(1));
          injected++;
        }
      },
    });
    expect(injected).toBe(2);
    expect(cal.lastBotMessage.text).toContain("MINI-2026");
    const limited = harness.server.calls.filter((call) => call.status === 429);
    expect(limited.map((call) => call.method).sort()).toEqual(["editMessageText", "sendMessage"]);
    // Each rate-limited call was made again with the same payload and succeeded.
    for (const call of limited) {
      const retried = harness.server.calls.find(
        (other) =>
          other !== call && other.status === 200 && JSON.stringify(other.payload) === JSON.stringify(call.payload),
      );
      expect(retried).toBeDefined();
    }
    const assessments = harness.db.sqlite.prepare("SELECT count(*) AS n FROM assessments").get();
    expect(assessments).toEqual({ n: 2 });
    expect(harness.server.unansweredQueries()).toEqual([]);
  });

  it("retries a 5xx from the Bot API", async () => {
    const harness = await startHarness();
    const dot = harness.user(4004);
    await dot.start();
    harness.server.failNext("sendMessage", FAULTS.serverError());
    await dot.press("English");
    const sends = harness.server.callsOf("sendMessage");
    expect(sends.at(-2)?.status).toBe(502);
    expect(sends.at(-1)?.status).toBe(200);
    expect(dot.lastBotMessage.keyboard?.flat().map((button) => button.text)).toEqual(["I agree", "No, thanks"]);
  }, 20_000);

  it("gives up on a 429 longer than maxDelaySeconds and tells the participant, translated, that nothing was lost", async () => {
    const logLines: string[] = [];
    const harness = await startHarness({ retry: { maxDelaySeconds: 1 }, logLines });
    const eve = harness.user(4005, { languageCode: "es" });
    await eve.start();
    await eve.press("Español");
    harness.server.failNext("sendMessage", FAULTS.tooManyRequests(60));
    await eve.send("/help");
    const last = eve.lastBotMessage.text;
    expect(last).toBe(harness.i18n.render("es", { key: "errors.internal" }));
    expect(last).not.toBe(harness.i18n.render("en", { key: "errors.internal" }));
    const failure = logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === "update failed");
    expect(failure).toMatchObject({ update_id: expect.any(Number), err: { code: 429, method: "sendMessage" } });
  });

  it("answers a failing button press with errors.internal and logs ids, never message text", async () => {
    const logLines: string[] = [];
    const harness = await startHarness({ logLines });
    const fox = harness.user(4006);
    await fox.start("secret-source");
    await fox.press("English");
    await fox.send("A very private sentence nobody may log");
    // A corrupt saved state makes the engine throw.
    harness.db.sqlite.prepare("UPDATE flow_states SET state = '{\"broken\":true}'").run();
    await fox.press("I agree");
    const answer = harness.server.callsOf("answerCallbackQuery").at(-1);
    expect(answer?.payload.text).toBe(harness.i18n.render("en", { key: "errors.internal" }));
    expect(harness.server.unansweredQueries()).toEqual([]);
    const log = logLines.join("\n");
    expect(log).toContain('"msg":"update failed"');
    expect(log).not.toContain("private sentence");
    expect(log).not.toContain("I agree");
    expect(log).not.toContain("You agree to rank");
    const entries = logLines.map((line) => JSON.parse(line) as { msg: string; update_id?: number });
    // Apart from start-up, every line is about one update and carries its id.
    for (const entry of entries.filter((line) => line.msg !== "telegram bot started")) {
      expect(entry.update_id, entry.msg).toEqual(expect.any(Number));
    }
  });
});
