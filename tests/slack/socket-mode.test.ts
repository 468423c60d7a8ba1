import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { createEngine } from "../../src/core/engine.js";
import { createI18n } from "../../src/i18n/index.js";
import { createLogger } from "../../src/logger.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { createSlackApp, type SlackApp } from "../../src/slack/app.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { type FakeSlackServer, startFakeSlackServer } from "../helpers/fake-slack-server.js";
import { messageText } from "../helpers/slack-harness.js";

/**
 * Slack's Socket Mode endpoint, locally: the fake Web API answers
 * apps.connections.open with this server's ws:// URL; it says hello, sends
 * envelopes and collects the app's acknowledgements.
 */
class FakeSocketModeServer {
  readonly server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  readonly acks: Array<{ envelope_id: string; payload?: unknown }> = [];
  readonly appTokens: string[] = [];
  private socket: WebSocket | undefined;
  private connected: Promise<void>;

  constructor() {
    this.connected = new Promise((resolve) => {
      this.server.on("connection", (socket) => {
        this.socket = socket;
        socket.on("message", (data) => this.acks.push(JSON.parse(String(data))));
        socket.send(
          JSON.stringify({
            type: "hello",
            num_connections: 1,
            connection_info: { app_id: "A0CHORUS" },
            debug_info: {},
          }),
        );
        resolve();
      });
    });
  }

  /** Resolves once the server listens (its port is known). */
  listening(): Promise<void> {
    return new Promise((resolve) => (this.server.address() ? resolve() : this.server.once("listening", resolve)));
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/link/?ticket=t1`;
  }

  async send(envelopeId: string, type: string, payload: unknown, retryAttempt = 0): Promise<void> {
    await this.connected;
    this.socket?.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: type !== "events_api",
        retry_attempt: retryAttempt,
        retry_reason: retryAttempt > 0 ? "timeout" : "",
      }),
    );
  }

  async acked(envelopeId: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!this.acks.some((ack) => ack.envelope_id === envelopeId)) {
      if (Date.now() > deadline) throw new Error(`no ack for ${envelopeId}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const event = (eventId: string, body: Record<string, unknown>) => ({
  type: "event_callback",
  team_id: "T0CHORUS",
  api_app_id: "A0CHORUS",
  event_id: eventId,
  event_time: 1,
  event: body,
});

let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe("Socket Mode", () => {
  it("connects through apps.connections.open, acknowledges envelopes and runs the survey over them", async () => {
    const socket = new FakeSocketModeServer();
    await socket.listening();
    const fake: FakeSlackServer = await startFakeSlackServer({ socketUrl: socket.url });
    const db: TestDatabase = createTestDatabase();
    seedMiniStudy(db);
    const i18n = createI18n({ localesDir: LOCALES_DIR });
    const store = createSurveyStore(db);
    const slack: SlackApp = createSlackApp({
      botToken: "xoxb-test-token",
      appToken: "xapp-1-A0CHORUS-1-secret",
      mode: "socket",
      apiUrl: fake.apiUrl,
      retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 50 },
      engine: createEngine({
        store,
        clock: { now: () => new Date() },
        random: () => 0.5,
        newParticipantId: () => "sock-1",
        locales: i18n.locales,
      }),
      i18n,
      logger: createLogger("silent"),
      participants: store,
    });
    cleanup.push(
      () => db.cleanup(),
      () => fake.close(),
      () => socket.close(),
    );
    await slack.start();
    cleanup.push(() => slack.stop());

    const open = fake.callsOf("apps.connections.open");
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe("xapp-1-A0CHORUS-1-secret");

    await socket.send("env-1", "events_api", event("Ev0S1", { type: "app_home_opened", user: "U0SOCK", tab: "home" }));
    await socket.acked("env-1");
    await slack.idle();
    expect(messageText(fake.homes.get("U0SOCK") ?? {})).toContain("Start");

    // App Home's Start arrives as an interactive envelope: the survey begins in the DM.
    const home = fake.homes.get("U0SOCK");
    const start = home?.blocks
      .flatMap((block: { type: string; elements?: unknown[] }) => (block.type === "actions" ? block.elements : []))
      .find((element: { action_id: string }) => element.action_id === "chorus.home_start");
    await socket.send("env-2", "interactive", {
      type: "block_actions",
      user: { id: "U0SOCK", username: "sock", name: "sock", team_id: "T0CHORUS" },
      api_app_id: "A0CHORUS",
      team: { id: "T0CHORUS", domain: "chorus-test" },
      container: { type: "view", view_id: "VHOME" },
      trigger_id: "8.trigger",
      view: { ...home, id: "VHOME", type: "home" },
      actions: [{ ...start, type: "button", block_id: "b", action_ts: "1.1" }],
    });
    await socket.acked("env-2");
    await slack.idle();
    expect(messageText(fake.messagesIn("D0SOCK")[0] ?? { blocks: [] })).toContain("Which language");

    // A message typed in the DM (not a language): answered with the question again.
    const typed = event("Ev0S3", {
      type: "message",
      channel: "D0SOCK",
      channel_type: "im",
      user: "U0SOCK",
      text: "hello",
      ts: "1.2",
    });
    await socket.send("env-3", "events_api", typed);
    await socket.acked("env-3");
    await slack.idle();
    const posted = fake.callsOf("chat.postMessage").length;
    expect(messageText(fake.messagesIn("D0SOCK").at(-1) ?? { blocks: [] })).toContain("Which language");

    // Slack redelivers the same event (retry_attempt 1): acknowledged, and nothing more is sent.
    await socket.send("env-4", "events_api", typed, 1);
    await socket.acked("env-4");
    await slack.idle();
    expect(fake.callsOf("chat.postMessage")).toHaveLength(posted);
    // Everything else used the bot token.
    expect(fake.calls.filter((call) => call.method !== "apps.connections.open").map((call) => call.token)).toEqual(
      fake.calls.filter((call) => call.method !== "apps.connections.open").map(() => "xoxb-test-token"),
    );

    // A button press arrives as an interactive envelope.
    const language = fake.messagesIn("D0SOCK").at(-1);
    const english = language?.blocks
      .flatMap((block) => (block.type === "actions" ? block.elements : []))
      .find((element: { action_id: string }) => element.action_id.endsWith(":en"));
    await socket.send("env-5", "interactive", {
      type: "block_actions",
      user: { id: "U0SOCK", username: "sock", name: "sock", team_id: "T0CHORUS" },
      api_app_id: "A0CHORUS",
      team: { id: "T0CHORUS", domain: "chorus-test" },
      container: { type: "message", message_ts: language?.ts, channel_id: "D0SOCK" },
      trigger_id: "9.trigger",
      channel: { id: "D0SOCK", name: "directmessage" },
      message: language && fake.asSlackMessage(language),
      actions: [{ ...english, type: "button", block_id: "b", action_ts: "1.2" }],
    });
    await socket.acked("env-5");
    await slack.idle();
    expect(messageText(fake.messagesIn("D0SOCK").at(-1) ?? { blocks: [] })).toContain("Do you agree to take part?");
    expect(
      db.sqlite.prepare("SELECT locale, status FROM participants WHERE platform_user_id = 'U0SOCK'").get(),
    ).toEqual({
      locale: "en",
      status: "active",
    });
  });
});
