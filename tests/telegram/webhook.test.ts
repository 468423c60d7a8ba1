import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { type TelegramHarness, useTelegramHarness } from "../helpers/telegram-harness.js";

const startHarness = useTelegramHarness();

const SECRET = "s3cret_token-for-tests";

async function startWebhookHarness(): Promise<TelegramHarness> {
  return startHarness({
    mode: { kind: "webhook", url: "https://bot.example.org/telegram/hook", secret: SECRET, port: 0, host: "127.0.0.1" },
  });
}

/** What Telegram does: POST the update as JSON with the secret header. */
function post(h: TelegramHarness, update: Update, secret: string | undefined, path = "/telegram/hook") {
  return fetch(`http://127.0.0.1:${h.running.port}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret !== undefined ? { "x-telegram-bot-api-secret-token": secret } : {}),
    },
    body: JSON.stringify(update),
  });
}

function participants(h: TelegramHarness): number {
  return (h.db.sqlite.prepare("SELECT count(*) AS n FROM participants").get() as { n: number }).n;
}

describe("webhook mode", () => {
  it("registers the webhook with its secret and the update kinds it handles", async () => {
    const harness = await startWebhookHarness();
    const set = harness.server.callsOf("setWebhook").at(-1);
    expect(set?.payload).toMatchObject({
      url: "https://bot.example.org/telegram/hook",
      secret_token: SECRET,
      allowed_updates: ["message", "edited_message", "callback_query", "my_chat_member"],
    });
    expect(harness.server.callsOf("getUpdates")).toEqual([]);
  });

  it("handles an update posted with the right secret and answers 200 once it is done", async () => {
    const harness = await startWebhookHarness();
    const user = harness.user(5001);
    const update = harness.server.userMessage(user.profile, "/start webhook_src");
    const response = await post(harness, update, SECRET);
    expect(response.status).toBe(200);
    // The reply was sent before the 200: the conversation is there already.
    expect(user.lastBotMessage.keyboard?.flat().map((button) => button.text)).toContain("English");
    expect(harness.db.sqlite.prepare("SELECT source FROM participants").get()).toEqual({ source: "webhook_src" });

    // The same update posted again (Telegram retrying) is a no-op.
    const messages = user.botMessages.length;
    expect((await post(harness, update, SECRET)).status).toBe(200);
    expect(user.botMessages).toHaveLength(messages);
  });

  it("answers 401 to a wrong or missing secret and handles nothing", async () => {
    const harness = await startWebhookHarness();
    const user = harness.user(5002);
    const update = harness.server.userMessage(user.profile, "/start intruder");
    expect((await post(harness, update, "wrong-secret")).status).toBe(401);
    expect((await post(harness, update, `${SECRET}x`)).status).toBe(401);
    expect((await post(harness, update, undefined)).status).toBe(401);
    expect(participants(harness)).toBe(0);
    expect(user.botMessages).toEqual([]);
  });

  it("answers 404 elsewhere and 400 to a body that is not an update", async () => {
    const harness = await startWebhookHarness();
    const user = harness.user(5003);
    const update = harness.server.userMessage(user.profile, "/start");
    expect((await post(harness, update, SECRET, "/other")).status).toBe(404);
    const bad = await fetch(`http://127.0.0.1:${harness.running.port}/telegram/hook`, {
      method: "POST",
      headers: { "x-telegram-bot-api-secret-token": SECRET },
      body: "not json",
    });
    expect(bad.status).toBe(400);
    expect(participants(harness)).toBe(0);
  });
});
