import { describe, expect, it } from "vitest";
import { createTelegramSender } from "../../src/broadcast/senders/telegram.js";
import { createBroadcastWorker } from "../../src/broadcast/worker.js";
import { cliActor } from "../../src/staff/audit.js";
import { addStaff } from "../../src/staff/staff.js";
import { encodeChoice } from "../../src/telegram/callback-data.js";
import { type TelegramHarness, useTelegramHarness, walkThroughSurvey } from "../helpers/telegram-harness.js";

/**
 * Staff in a Telegram chat: /stats and /broadcast (preview, explicit
 * confirm), role checks, the audit log, and the participant's press on the
 * broadcast's "Start the new scenarios" button going through the engine.
 */
const start = useTelegramHarness();

function table(harness: TelegramHarness, sql: string): unknown[] {
  return harness.db.sqlite.prepare(sql).all();
}

async function sendPending(harness: TelegramHarness) {
  // What the broadcast service of `npm start` does within seconds of the confirm.
  const worker = createBroadcastWorker({
    sqlite: harness.db.sqlite,
    i18n: harness.i18n,
    senders: {
      telegram: createTelegramSender({ token: harness.server.token, apiRoot: harness.server.apiRoot, encodeChoice }),
    },
  });
  return worker.drain();
}

describe("/broadcast and /stats in a Telegram chat", () => {
  it("someone who is not staff is told it is not allowed, and nothing is written", async () => {
    const harness = await start();
    const stranger = harness.user(901);
    await stranger.send("/broadcast");
    expect(stranger.lastBotMessage.text).toBe("Sorry, this is only for the study's coordinators.");
    expect(stranger.lastBotMessage.keyboard).toBeUndefined();
    await stranger.send("/stats");
    expect(stranger.lastBotMessage.text).toBe(harness.i18n.render("en", { key: "staff.not_allowed" }));
    expect(table(harness, "SELECT id FROM broadcasts")).toEqual([]);
    expect(table(harness, "SELECT id FROM audit_log")).toEqual([]);
    // A forged confirm button changes nothing either.
    await stranger.pressData(stranger.lastBotMessage.messageId, "sb1");
    expect(stranger.lastBotMessage.text).toBe("Sorry, this is only for the study's coordinators.");
  });

  it("a researcher sees stats (audited) but may not broadcast", async () => {
    const harness = await start();
    addStaff(harness.db.sqlite, { platform: "telegram", userId: "902" }, "researcher", cliActor());
    const researcher = harness.user(902);
    await researcher.send("/stats");
    const stats = researcher.lastBotMessage.text;
    expect(stats).toMatch(/Study mini/);
    expect(stats).toMatch(/Quota cells \(count\/target\):\n {2}US: 0\/2/);
    expect(stats).toMatch(/Assessments per scenario:\n {2}weather: 0/);
    await researcher.send("/broadcast");
    expect(researcher.lastBotMessage.text).toBe("Sorry, this is only for the study's coordinators.");
    expect(table(harness, "SELECT id FROM broadcasts")).toEqual([]);
    expect(table(harness, "SELECT actor, origin, action FROM audit_log WHERE action = 'stats.view'")).toEqual([
      { actor: "telegram:902", origin: "telegram", action: "stats.view" },
    ]);
  });

  it("a coordinator previews, confirms, and the participant starts the new scenarios from the message", async () => {
    const harness = await start();
    const participant = harness.user(903);
    await walkThroughSurvey(participant);
    expect(participant.participant()?.status).toBe("completed");
    addStaff(harness.db.sqlite, { platform: "telegram", userId: "904" }, "coordinator", cliActor());
    const coordinator = harness.user(904);

    await coordinator.send("/broadcast");
    const preview = coordinator.lastBotMessage;
    expect(preview.text).toMatch(/^Broadcast #1: 1 recipients in study mini \(telegram 1\)\./);
    expect(preview.text).toMatch(/“New scenarios are ready in Mini test study\./);
    expect(coordinator.buttons()).toEqual(["Send to 1 people", "Cancel"]);
    // Nothing is sent before the confirm.
    expect(await sendPending(harness)).toEqual([
      expect.objectContaining({ counts: expect.objectContaining({ sent: 0 }) }),
    ]);
    const before = participant.botMessages.length;

    await coordinator.press("Send to 1 people");
    expect(coordinator.lastBotMessage.text).toMatch(/Broadcast #1 is being sent to 1 people/);
    expect(coordinator.lastBotMessage.keyboard).toBeUndefined();
    await sendPending(harness);
    const notice = participant.lastBotMessage;
    expect(participant.botMessages.length).toBe(before + 1);
    expect(notice.text).toMatch(/New scenarios are ready in Mini test study/);

    const startData = participant.findButton("Start the new scenarios").button.callback_data;
    await participant.press("Start the new scenarios");
    // The notice keeps what was chosen, without its button.
    expect(participant.message(notice.messageId).text).toMatch(/\n\n✓ Start the new scenarios$/);
    expect(participant.message(notice.messageId).keyboard).toBeUndefined();
    const texts = participant.botMessages.slice(before + 1).map((message) => message.text);
    expect(texts.join("\n")).toMatch(/New scenarios are ready: 1 for you\./);
    expect(texts.join("\n")).toMatch(/Scenario 3 of 3/);
    expect(participant.participant()?.status).toBe("active");

    // The same button again (a double press) is out of date; a second confirm sends nothing twice.
    await participant.pressData(notice.messageId, startData);
    expect(harness.server.callsOf("answerCallbackQuery").at(-1)?.payload.text).toBe(
      harness.i18n.render("en", { key: "errors.stale" }),
    );
    await coordinator.pressData(preview.messageId, "sb1");
    expect(coordinator.lastBotMessage.text).toMatch(/Broadcast #1 was already sent/);
    expect(
      table(harness, "SELECT actor, origin, action FROM audit_log WHERE action LIKE 'broadcast.%' ORDER BY id"),
    ).toEqual([
      { actor: "telegram:904", origin: "telegram", action: "broadcast.create" },
      { actor: "telegram:904", origin: "telegram", action: "broadcast.send" },
    ]);
  });

  it("cancel drops the draft; with nobody able to start new scenarios nothing is created", async () => {
    const harness = await start();
    addStaff(harness.db.sqlite, { platform: "telegram", userId: "905" }, "admin", cliActor());
    const admin = harness.user(905);
    await admin.send("/broadcast");
    expect(admin.lastBotMessage.text).toBe(
      "Nobody in mini can start new scenarios right now, so there is nothing to send.",
    );
    expect(table(harness, "SELECT id FROM broadcasts")).toEqual([]);
    await admin.send("/broadcast nosuchstudy");
    expect(admin.lastBotMessage.text).toBe("There is no study with the id nosuchstudy.");

    await walkThroughSurvey(harness.user(906));
    await admin.send("/broadcast mini");
    const first = admin.lastBotMessage;
    // A second preview replaces the first: confirming both cannot send anyone the message twice.
    await admin.send("/broadcast mini");
    await admin.pressData(first.messageId, "sb1");
    // The answer replaces the old preview (edited in place).
    expect(admin.botMessages.find((m) => m.messageId === first.messageId)?.text).toBe(
      "Broadcast #1 was cancelled earlier; nothing was sent.",
    );
    await admin.press("Cancel");
    expect(admin.lastBotMessage.text).toBe("Broadcast #2 was cancelled; nothing was sent.");
    await sendPending(harness);
    expect(table(harness, "SELECT status FROM deliveries")).toEqual([{ status: "skipped" }, { status: "skipped" }]);
    expect(harness.user(906).lastBotMessage.text).not.toMatch(/New scenarios are ready/);
  });
});
