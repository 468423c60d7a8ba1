import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cancelBroadcast, createBroadcast, startSending } from "../../src/broadcast/outbox.js";
import { createTelegramSender } from "../../src/broadcast/senders/telegram.js";
import { createBroadcastWorker } from "../../src/broadcast/worker.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { cliActor } from "../../src/staff/audit.js";
import { encodeChoice, unpackCallbackData } from "../../src/telegram/callback-data.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { FAULTS, type FakeTelegramServer, startFakeTelegramServer } from "../helpers/fake-telegram-server.js";
import { type FaultProxy, startFaultProxy } from "../helpers/fault-proxy.js";
import { seedParticipants } from "../helpers/participants.js";

const i18n = createI18n({ localesDir: LOCALES_DIR });
const actor = cliActor();

let db: TestDatabase;
let server: FakeTelegramServer;
let proxy: FaultProxy;

beforeEach(async () => {
  db = createTestDatabase();
  seedMiniStudy(db);
  server = await startFakeTelegramServer();
  proxy = await startFaultProxy({ target: server.apiRoot, style: "telegram" });
});

afterEach(async () => {
  await proxy.close();
  await server.close();
  db.cleanup();
});

function worker(options: { maxAttempts?: number } = {}) {
  return createBroadcastWorker({
    sqlite: db.sqlite,
    i18n,
    senders: { telegram: createTelegramSender({ token: server.token, apiRoot: proxy.url, encodeChoice }) },
    pacing: { telegram: { ratePerSecond: 30, perKeyIntervalMs: 1000 } },
    backoffMs: () => 50,
    ...options,
  });
}

function sentTo(chatId: number): string[] {
  return server
    .chat(chatId)
    .filter((message) => message.from === "bot")
    .map((message) => message.text);
}

function deliveries(broadcastId: number) {
  return db.sqlite
    .prepare<[number], { participant_id: string; status: string; attempts: number; last_error: string | null }>(
      "SELECT participant_id, status, attempts, last_error FROM deliveries WHERE broadcast_id = ? ORDER BY participant_id",
    )
    .all(broadcastId);
}

describe("broadcast over Telegram", () => {
  it("sends each recipient exactly one message in their language, with a start button carrying their step", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "telegram", userId: "101", step: 21, assigned: ["weather"] },
      { platform: "telegram", userId: "102", locale: "es", step: 22, assigned: ["weather", "headache"] },
      // Had every scenario: nothing new to start.
      { platform: "telegram", userId: "103", assigned: ["weather", "headache", "attention"] },
      { platform: "telegram", userId: "104", status: "active", phase: "task", assigned: ["weather"] },
    ]);
    const created = createBroadcast(
      { sqlite: db.sqlite, i18n },
      { filter: { studyId: "mini" }, messageKey: "broadcast.new_scenarios", withStartButton: true },
      actor,
    );
    expect(created.total).toBe(2);
    startSending(db.sqlite, created.id, actor);
    const [result] = await worker().drain();
    expect(result?.counts.sent).toBe(2);

    expect(sentTo(101)).toEqual([
      i18n.render("en", {
        key: "broadcast.new_scenarios",
        params: { title: { localized: { en: "Mini test study", es: "Estudio de prueba" } } },
      }),
    ]);
    expect(sentTo(102)).toHaveLength(1);
    expect(sentTo(102)[0]).toContain("Estudio de prueba");
    expect(sentTo(103)).toEqual([]);
    expect(sentTo(104)).toEqual([]);
    const button = server.chat(101)[0]?.keyboard?.[0]?.[0];
    expect(button?.text).toBe("Start the new scenarios");
    expect(unpackCallbackData(button?.callback_data ?? "")).toEqual({
      kind: "choice",
      step: 21,
      choice: "more",
    });
    expect(unpackCallbackData(server.chat(102)[0]?.keyboard?.[0]?.[0]?.callback_data ?? "")).toMatchObject({
      step: 22,
    });

    expect(deliveries(created.id).map((d) => d.status)).toEqual(["sent", "sent"]);
    const broadcast = db.sqlite.prepare("SELECT status, sent_at FROM broadcasts WHERE id = ?").get(created.id) as {
      status: string;
      sent_at: string | null;
    };
    expect(broadcast.status).toBe("sent");
    expect(broadcast.sent_at).not.toBeNull();
  });

  it("a second send, resume or drain sends nothing again", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "telegram", userId: "201" },
      { platform: "telegram", userId: "202" },
    ]);
    const created = createBroadcast(
      { sqlite: db.sqlite, i18n },
      { filter: { studyId: "mini" }, messages: { en: "Hello from the study team" } },
      actor,
    );
    startSending(db.sqlite, created.id, actor);
    await worker().drain();
    expect(() => startSending(db.sqlite, created.id, actor)).toThrow(/already sent/);
    await worker().drain({ broadcastId: created.id });
    expect(server.callsOf("sendMessage")).toHaveLength(2);
    expect(sentTo(201)).toEqual(["Hello from the study team"]);
  });

  it("honours a 429's retry_after, then delivers everything once", async () => {
    seedParticipants(
      db.sqlite,
      "mini",
      Array.from({ length: 5 }, (_, i) => ({ platform: "telegram" as const, userId: String(300 + i) })),
    );
    const created = createBroadcast(
      { sqlite: db.sqlite, i18n },
      { filter: { studyId: "mini" }, messages: { en: "Hi" } },
      actor,
    );
    startSending(db.sqlite, created.id, actor);
    server.failNext("sendMessage", FAULTS.tooManyRequests(1), 1);
    const started = performance.now();
    const [result] = await worker().drain();
    const elapsed = performance.now() - started;
    expect(result?.counts).toMatchObject({ sent: 5, rate_limited: 1, failed: 0 });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    for (let i = 0; i < 5; i++) expect(sentTo(300 + i)).toEqual(["Hi"]);
    // The 429 is not counted as a failed attempt.
    expect(deliveries(created.id).every((d) => d.attempts === 1 && d.status === "sent")).toBe(true);
    const rejected = server.calls.filter((call) => call.method === "sendMessage" && call.status === 429);
    expect(rejected).toHaveLength(1);
  });

  it("marks a blocked participant unreachable without retrying, and never messages them again", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "telegram", userId: "401" },
      { platform: "telegram", userId: "402" },
    ]);
    server.block(401);
    const created = createBroadcast(
      { sqlite: db.sqlite, i18n },
      { filter: { studyId: "mini" }, messages: { en: "Hi" } },
      actor,
    );
    startSending(db.sqlite, created.id, actor);
    const [result] = await worker().drain();
    expect(result?.counts).toMatchObject({ sent: 1, unreachable: 1 });
    const calls401 = server.callsOf("sendMessage").filter((call) => Number(call.payload.chat_id) === 401);
    expect(calls401).toHaveLength(1);
    const rows = deliveries(created.id);
    expect(rows.find((d) => d.participant_id === "p-telegram-401")).toMatchObject({
      status: "unreachable",
      attempts: 1,
    });
    expect(rows.find((d) => d.participant_id === "p-telegram-401")?.last_error).toContain("blocked");
    const status = db.sqlite.prepare("SELECT status FROM participants WHERE id = 'p-telegram-401'").get() as {
      status: string;
    };
    expect(status.status).toBe("unreachable");
    // A later broadcast leaves them out.
    expect(() =>
      createBroadcast(
        { sqlite: db.sqlite, i18n },
        { filter: { studyId: "mini", locales: ["en"], platforms: ["telegram"] }, messages: { en: "Again" } },
        actor,
      ),
    ).not.toThrow();
    const again = db.sqlite.prepare("SELECT participant_id FROM deliveries WHERE broadcast_id = 2").all();
    expect(again).toEqual([{ participant_id: "p-telegram-402" }]);
  });

  it("retries network errors with backoff, and marks a delivery failed after the last attempt", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "telegram", userId: "501" },
      { platform: "telegram", userId: "502" },
    ]);
    const created = createBroadcast(
      { sqlite: db.sqlite, i18n },
      { filter: { studyId: "mini" }, messages: { en: "Hi" } },
      actor,
    );
    startSending(db.sqlite, created.id, actor);
    // Two connection resets: the sends they hit are retried after the backoff.
    proxy.resetNext(/sendMessage/, 2);
    const first = await worker({ maxAttempts: 3 }).drain();
    expect(first[0]?.counts).toMatchObject({ sent: 2, retry: 2 });
    expect(proxy.resets).toBe(2);
    expect(sentTo(501)).toEqual(["Hi"]);
    expect(sentTo(502)).toEqual(["Hi"]);
    expect(deliveries(created.id).reduce((sum, d) => sum + d.attempts, 0)).toBe(4);

    const second = createBroadcast(
      { sqlite: db.sqlite, i18n },
      { filter: { studyId: "mini" }, messages: { en: "Second" } },
      actor,
    );
    startSending(db.sqlite, second.id, actor);
    proxy.resetNext(/sendMessage/, 100);
    const result = await worker({ maxAttempts: 3 }).drain();
    expect(result[0]?.counts).toMatchObject({ sent: 0, failed: 2, retry: 4 });
    expect(deliveries(second.id).map((d) => [d.status, d.attempts])).toEqual([
      ["failed", 3],
      ["failed", 3],
    ]);
    expect(sentTo(502)).toEqual(["Hi"]);
    const status = db.sqlite.prepare("SELECT status FROM broadcasts WHERE id = ?").get(second.id) as { status: string };
    expect(status.status).toBe("sent");
  });

  it("skips participants who paused or withdrew after the broadcast was created", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "telegram", userId: "601" },
      { platform: "telegram", userId: "602" },
      { platform: "telegram", userId: "603" },
    ]);
    const created = createBroadcast(
      { sqlite: db.sqlite, i18n },
      { filter: { studyId: "mini" }, messages: { en: "Hi" } },
      actor,
    );
    db.sqlite.prepare("UPDATE participants SET status = 'paused' WHERE id = 'p-telegram-601'").run();
    db.sqlite.prepare("DELETE FROM participants WHERE id = 'p-telegram-602'").run();
    startSending(db.sqlite, created.id, actor);
    const [result] = await worker().drain();
    expect(result?.counts).toMatchObject({ sent: 1, skipped: 1 });
    expect(sentTo(601)).toEqual([]);
    expect(sentTo(602)).toEqual([]);
    expect(sentTo(603)).toEqual(["Hi"]);
    expect(deliveries(created.id).map((d) => d.status)).toEqual(["skipped", "sent"]);
  });

  it("a cancelled broadcast sends nothing more", async () => {
    seedParticipants(
      db.sqlite,
      "mini",
      Array.from({ length: 6 }, (_, i) => ({ platform: "telegram" as const, userId: String(700 + i) })),
    );
    const created = createBroadcast(
      { sqlite: db.sqlite, i18n },
      { filter: { studyId: "mini" }, messages: { en: "Hi" } },
      actor,
    );
    startSending(db.sqlite, created.id, actor);
    const w = createBroadcastWorker({
      sqlite: db.sqlite,
      i18n,
      senders: { telegram: createTelegramSender({ token: server.token, apiRoot: server.apiRoot, encodeChoice }) },
      pacing: { telegram: { ratePerSecond: 4, perKeyIntervalMs: 1000 } },
      onDelivery: (event) => {
        if (event.outcome === "sent" && event.participantId === "p-telegram-701") {
          cancelBroadcast(db.sqlite, created.id, actor);
        }
      },
    });
    await w.drain();
    expect(server.callsOf("sendMessage")).toHaveLength(2);
    const rows = deliveries(created.id);
    expect(rows.filter((d) => d.status === "sent")).toHaveLength(2);
    expect(rows.filter((d) => d.status === "skipped")).toHaveLength(4);
  });
});
