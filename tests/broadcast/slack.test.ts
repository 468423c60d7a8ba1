import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBroadcast, startSending } from "../../src/broadcast/outbox.js";
import { createSlackSender } from "../../src/broadcast/senders/slack.js";
import { createBroadcastWorker } from "../../src/broadcast/worker.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { packChoice, unpackChoice } from "../../src/slack/ids.js";
import { cliActor } from "../../src/staff/audit.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { type FakeSlackServer, startFakeSlackServer } from "../helpers/fake-slack-server.js";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import { seedParticipants } from "../helpers/participants.js";

const i18n = createI18n({ localesDir: LOCALES_DIR });
const actor = cliActor();

let db: TestDatabase;
let server: FakeSlackServer;
let proxy: FaultProxy;

beforeEach(async () => {
  db = createTestDatabase();
  seedMiniStudy(db);
  server = await startFakeSlackServer();
  proxy = await startFaultProxy({ target: `http://127.0.0.1:${server.port}`, style: "slack" });
});

afterEach(async () => {
  await proxy.close();
  await server.close();
  db.cleanup();
});

function worker() {
  return createBroadcastWorker({
    sqlite: db.sqlite,
    i18n,
    senders: {
      slack: createSlackSender({
        token: "xoxb-test",
        slackApiUrl: `${proxy.url}/api/`,
        opensPerMinute: 6000,
        encodeChoice: (step, choice) => ({ actionId: packChoice(step, choice), value: choice }),
      }),
    },
    pacing: { slack: { ratePerSecond: 20, perKeyIntervalMs: 1000 } },
    backoffMs: () => 50,
  });
}

function postsTo(userId: string) {
  return server.messagesIn(server.dmOf(userId));
}

function send(messages: Record<string, string> | undefined, withStartButton = false) {
  const created = createBroadcast(
    { sqlite: db.sqlite, i18n },
    {
      filter: { studyId: "mini", platforms: ["slack"] },
      ...(messages ? { messages } : { messageKey: "broadcast.new_scenarios" }),
      withStartButton,
    },
    actor,
  );
  startSending(db.sqlite, created.id, actor);
  return created;
}

describe("broadcast over Slack", () => {
  it("posts one DM per recipient with a start button the adapter decodes as the choice `more` at their step", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "slack", userId: "U0AAA1", step: 31, assigned: ["weather"] },
      { platform: "slack", userId: "U0AAA2", locale: "es", step: 32, assigned: ["weather"] },
      { platform: "telegram", userId: "900", assigned: ["weather"] },
    ]);
    const created = send(undefined, true);
    expect(created.total).toBe(2);
    const [result] = await worker().drain();
    expect(result?.counts.sent).toBe(2);
    const [first] = postsTo("U0AAA1");
    expect(postsTo("U0AAA1")).toHaveLength(1);
    expect(first?.text).toContain("Mini test study");
    const button = first?.blocks[1]?.elements?.[0];
    expect(button?.text?.text).toBe("Start the new scenarios");
    expect(unpackChoice(button?.action_id)).toEqual({ step: 31, choice: "more" });
    expect(postsTo("U0AAA2")[0]?.text).toContain("Estudio de prueba");
  });

  it("caches conversations.open across broadcasts", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "slack", userId: "U0BBB1" },
      { platform: "slack", userId: "U0BBB2" },
    ]);
    const w = worker();
    send({ en: "First" });
    await w.drain();
    send({ en: "Second" });
    await w.drain();
    expect(server.callsOf("conversations.open")).toHaveLength(2);
    expect(postsTo("U0BBB1").map((m) => m.text)).toEqual(["First", "Second"]);
    expect(postsTo("U0BBB2").map((m) => m.text)).toEqual(["First", "Second"]);
  });

  it("honours Retry-After on a 429, then delivers each message once", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "slack", userId: "U0CCC1" },
      { platform: "slack", userId: "U0CCC2" },
      { platform: "slack", userId: "U0CCC3" },
    ]);
    send({ en: "Hi" });
    server.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const started = performance.now();
    const [result] = await worker().drain();
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(result?.counts).toMatchObject({ sent: 3, rate_limited: 1 });
    for (const user of ["U0CCC1", "U0CCC2", "U0CCC3"]) expect(postsTo(user)).toHaveLength(1);
  });

  it("channel_not_found or a deactivated account makes the participant unreachable, not retried", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "slack", userId: "U0DDD1" },
      { platform: "slack", userId: "U0DDD2" },
      { platform: "slack", userId: "U0DDD3" },
    ]);
    const created = send({ en: "Hi" });
    server.failNext("chat.postMessage", { status: 200, error: "channel_not_found" });
    server.failNext("conversations.open", { status: 200, error: "user_disabled" });
    const [result] = await worker().drain();
    expect(result?.counts).toMatchObject({ sent: 1, unreachable: 2 });
    const rows = db.sqlite
      .prepare(
        "SELECT d.status, d.last_error, p.status AS participant FROM deliveries d JOIN participants p ON p.id = d.participant_id WHERE broadcast_id = ? ORDER BY p.id",
      )
      .all(created.id) as { status: string; last_error: string; participant: string }[];
    expect(
      rows
        .filter((row) => row.status === "unreachable")
        .map((row) => row.last_error)
        .sort(),
    ).toEqual(["channel_not_found", "user_disabled"]);
    expect(rows.filter((row) => row.participant === "unreachable")).toHaveLength(2);
    expect(server.callsOf("chat.postMessage")).toHaveLength(2);
  });

  it("retries a network error and a 500", async () => {
    seedParticipants(db.sqlite, "mini", [{ platform: "slack", userId: "U0EEE1" }]);
    send({ en: "Hi" });
    proxy.resetNext(/chat\.postMessage/, 1);
    server.failNext("chat.postMessage", { status: 500 });
    const [result] = await worker().drain();
    expect(result?.counts).toMatchObject({ sent: 1, retry: 2 });
    expect(postsTo("U0EEE1")).toHaveLength(1);
  });
});
