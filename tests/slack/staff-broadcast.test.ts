import { afterEach, describe, expect, it } from "vitest";
import { createSlackSender } from "../../src/broadcast/senders/slack.js";
import { createBroadcastWorker } from "../../src/broadcast/worker.js";
import { packChoice } from "../../src/slack/ids.js";
import { STAFF_BROADCAST_CONFIRM } from "../../src/slack/listeners/actions/staff-broadcast.js";
import { cliActor } from "../../src/staff/audit.js";
import { addStaff } from "../../src/staff/staff.js";
import type { Block, StoredMessage } from "../helpers/fake-slack-server.js";
import {
  messageText,
  type SlackHarness,
  type SlackTestUser,
  startSlackHarness,
  walkSlackSurvey,
} from "../helpers/slack-harness.js";

/**
 * Staff in Slack: `/chorus stats` and `/chorus broadcast` (an ephemeral
 * preview with Send / Cancel), role checks, the audit log, and the
 * participant's press on the broadcast's start button going through the engine.
 */
let harness: SlackHarness;
afterEach(async () => harness.close());

interface Reply {
  text: string;
  blocks?: Block[];
}

async function command(user: SlackTestUser, text: string): Promise<Reply> {
  const result = await user.command(text);
  expect(result.status).toBe(200);
  return JSON.parse(result.body) as Reply;
}

/** Presses a button of an ephemeral reply (Slack keeps those out of the channel history). */
function pressEphemeral(user: SlackTestUser, reply: Reply, actionId: string) {
  const message: StoredMessage = {
    channel: user.dm,
    ts: "1.000001",
    text: reply.text,
    blocks: reply.blocks ?? [],
    updates: 0,
  };
  return user.pressButton((button) => button.action_id === actionId, message);
}

function rows(sql: string): unknown[] {
  return harness.database.sqlite.prepare(sql).all();
}

describe("/chorus broadcast and /chorus stats in Slack", () => {
  it("someone who is not staff is told it is not allowed, and nothing is written", async () => {
    harness = await startSlackHarness();
    const stranger = harness.user("U0STRANGER");
    expect((await command(stranger, "broadcast")).text).toBe("Sorry, this is only for the study's coordinators.");
    const stats = await command(stranger, "stats");
    expect(stats.text).toBe(harness.i18n.render("en", { key: "staff.not_allowed" }));
    expect(stats.blocks).toBeUndefined();
    expect(rows("SELECT id FROM broadcasts")).toEqual([]);
    expect(rows("SELECT id FROM audit_log")).toEqual([]);
    // A forged Send press changes nothing either.
    await pressEphemeral(
      stranger,
      {
        text: "",
        blocks: [
          {
            type: "actions",
            elements: [
              {
                type: "button",
                action_id: STAFF_BROADCAST_CONFIRM,
                value: "1",
                text: { type: "plain_text", text: "x" },
              },
            ],
          },
        ],
      },
      STAFF_BROADCAST_CONFIRM,
    );
    expect(harness.fake.responses.at(-1)).toMatchObject({ text: "Sorry, this is only for the study's coordinators." });
  });

  it("a researcher sees stats (audited) but may not broadcast", async () => {
    harness = await startSlackHarness();
    addStaff(harness.database.sqlite, { platform: "slack", userId: "U0RESEARCH" }, "researcher", cliActor());
    const researcher = harness.user("U0RESEARCH");
    const stats = await command(researcher, "stats");
    expect(stats.text).toMatch(/Study mini/);
    expect(stats.text).toMatch(/Quota cells \(count\/target\):\n {2}US: 0\/2/);
    expect(messageText({ blocks: stats.blocks ?? [] })).toContain("Study mini");
    expect((await command(researcher, "broadcast")).text).toBe("Sorry, this is only for the study's coordinators.");
    expect(rows("SELECT actor, origin, action FROM audit_log WHERE action = 'stats.view'")).toEqual([
      { actor: "slack:U0RESEARCH", origin: "slack", action: "stats.view" },
    ]);
  });

  it("a coordinator previews and confirms; the participant starts the new scenarios from the DM", async () => {
    harness = await startSlackHarness();
    const participant = harness.user("U0PARTICIPANT");
    await walkSlackSurvey(participant);
    addStaff(harness.database.sqlite, { platform: "slack", userId: "U0COORD" }, "coordinator", cliActor());
    const coordinator = harness.user("U0COORD");

    const preview = await command(coordinator, "broadcast mini");
    expect(preview.text).toMatch(/^Broadcast #1: 1 recipients in study mini \(slack 1\)\./);
    const buttons = (preview.blocks ?? []).flatMap((block) => (block.type === "actions" ? block.elements : []));
    expect(buttons.map((button: Block) => button.text.text)).toEqual(["Send to 1 people", "Cancel"]);
    const before = participant.messages.length;

    await pressEphemeral(coordinator, preview, STAFF_BROADCAST_CONFIRM);
    expect(harness.fake.responses.at(-1)).toMatchObject({
      replace_original: true,
      text: expect.stringMatching(/Broadcast #1 is being sent to 1 people/),
    });
    // The broadcast service of a running process sends it.
    const worker = createBroadcastWorker({
      sqlite: harness.database.sqlite,
      i18n: harness.i18n,
      senders: {
        slack: createSlackSender({
          token: "xoxb-test-token",
          slackApiUrl: harness.fake.apiUrl,
          encodeChoice: (step, choice) => ({ actionId: packChoice(step, choice), value: choice }),
        }),
      },
    });
    const [result] = await worker.drain();
    expect(result?.counts.sent).toBe(1);
    expect(participant.messages.length).toBe(before + 1);
    expect(participant.lastMessage.text).toMatch(/New scenarios are ready in Mini test study/);

    await participant.press("more");
    const after = participant.messages
      .slice(before + 1)
      .map((message) => messageText(message))
      .join("\n");
    expect(after).toMatch(/New scenarios are ready: 1 for you\./);
    expect(after).toMatch(/Scenario 3 of 3/);
    expect(rows("SELECT actor, origin, action FROM audit_log WHERE action LIKE 'broadcast.%' ORDER BY id")).toEqual([
      { actor: "slack:U0COORD", origin: "slack", action: "broadcast.create" },
      { actor: "slack:U0COORD", origin: "slack", action: "broadcast.send" },
    ]);
  });
});
