import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runChorusInProcess } from "../helpers/cli.js";
import { createTestDatabase, FIXTURES, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { startFakeSlackServer } from "../helpers/fake-slack-server.js";
import { type FakeTelegramServer, startFakeTelegramServer } from "../helpers/fake-telegram-server.js";
import { seedParticipants } from "../helpers/participants.js";

/**
 * The coordinator commands through the real `chorus` program (in this
 * process, against a migrated database file and the fake platforms):
 * outputs, JSON, exit codes 0/1/2, audit entries, and the bad input the
 * issue names.
 */

let db: TestDatabase;
let telegram: FakeTelegramServer;
let env: Record<string, string>;

beforeEach(async () => {
  db = createTestDatabase();
  seedMiniStudy(db);
  telegram = await startFakeTelegramServer();
  env = {
    DATABASE_PATH: db.path,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    LOG_LEVEL: "silent",
  };
});

afterEach(async () => {
  await telegram.close();
  db.cleanup();
});

const chorus = (...args: string[]) => runChorusInProcess(args, env);
const json = <T>(text: string) => JSON.parse(text) as T;

describe("chorus staff", () => {
  it("adds, changes, lists and removes staff, every change audited", async () => {
    expect((await chorus("staff", "add", "telegram:123456", "--role", "coordinator")).stdout).toMatch(
      /telegram:123456 added as coordinator/,
    );
    expect((await chorus("staff", "add", "telegram:123456", "--role", "coordinator")).stdout).toMatch(/already/);
    expect((await chorus("staff", "add", "telegram:123456", "--role", "admin")).stdout).toMatch(/coordinator → admin/);
    await chorus("staff", "add", "slack:U0ABCDEF", "--role", "researcher");
    const listed = await chorus("staff", "list", "--json");
    expect(listed.code).toBe(0);
    expect(json<{ platform: string; userId: string; role: string }[]>(listed.stdout)).toEqual([
      expect.objectContaining({ platform: "slack", userId: "U0ABCDEF", role: "researcher" }),
      expect.objectContaining({ platform: "telegram", userId: "123456", role: "admin" }),
    ]);
    expect((await chorus("staff", "remove", "slack:U0ABCDEF")).code).toBe(0);
    const again = await chorus("staff", "remove", "slack:U0ABCDEF");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not staff/);

    const audit = json<{ actor: string; origin: string; action: string; details: Record<string, unknown> }[]>(
      (await chorus("audit", "--json", "--action", "staff")).stdout,
    );
    expect(audit.map((entry) => entry.action)).toEqual(["staff.remove", "staff.add", "staff.add", "staff.add"]);
    expect(audit.every((entry) => entry.origin === "cli" && entry.actor.startsWith("cli:"))).toBe(true);
    expect(audit[2]?.details).toEqual({ staff: "telegram:123456", role: "admin", previousRole: "coordinator" });
  });

  it("refuses a malformed PLATFORM:USER or role with exit 2 and a clear message, writing nothing", async () => {
    for (const target of ["123456", "telegram:", "telegram:abc", "discord:123", "slack:alice", "slack:#general"]) {
      const result = await chorus("staff", "add", target, "--role", "coordinator");
      expect(result.code, target).toBe(2);
      expect(result.stderr, target).toMatch(/expected PLATFORM:USER such as telegram:123456789 or slack:U0123ABCD/);
    }
    const role = await chorus("staff", "add", "telegram:1", "--role", "boss");
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/unknown role "boss"; expected one of coordinator, researcher, admin/);
    expect(db.sqlite.prepare("SELECT count(*) AS n FROM staff").get()).toEqual({ n: 0 });
    expect(db.sqlite.prepare("SELECT count(*) AS n FROM audit_log WHERE action LIKE 'staff.%'").get()).toEqual({
      n: 0,
    });
  });
});

describe("chorus broadcast", () => {
  beforeEach(() => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "telegram", userId: "71", country: "US" },
      { platform: "telegram", userId: "72", locale: "es", country: "MX" },
      { platform: "telegram", userId: "73", status: "paused" },
      { platform: "telegram", userId: "74", status: "declined", consented: false, phase: "declined" },
      { platform: "telegram", userId: "75", status: "screened_out", phase: "screened_out" },
      { platform: "telegram", userId: "76", status: "active", phase: "task" },
      { platform: "console", userId: "pilot" },
    ]);
  });

  it("create → preview → send → status; a second send sends nothing", async () => {
    const created = await chorus(
      "broadcast",
      "create",
      "--study",
      "mini",
      "--text",
      "en=New scenarios are ready",
      "--text",
      "es=Hay escenarios nuevos",
      "--json",
    );
    expect(created.code).toBe(0);
    const summary = json<{ id: number; total: number; status: string }>(created.stdout);
    // Paused, declined, screened-out and terminal-pilot participants are never recipients.
    expect(summary).toMatchObject({ total: 3, status: "draft" });

    const preview = json<{ recipients: unknown[]; samples: { locale: string; text: string }[] }>(
      (await chorus("broadcast", "preview", String(summary.id), "--json")).stdout,
    );
    expect(preview.recipients).toEqual([
      { platform: "telegram", locale: "en", count: 2 },
      { platform: "telegram", locale: "es", count: 1 },
    ]);
    expect(preview.samples).toEqual([
      { locale: "en", text: "New scenarios are ready", button: null },
      { locale: "es", text: "Hay escenarios nuevos", button: null },
    ]);
    expect(telegram.callsOf("sendMessage")).toHaveLength(0);

    const sent = await chorus("broadcast", "send", String(summary.id));
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(/3 recipients: 3 sent, 0 pending/);
    expect(sent.stderr).toMatch(/Sending: 3\/3/);
    expect(telegram.chat(72).map((m) => m.text)).toEqual(["Hay escenarios nuevos"]);
    for (const chat of [73, 74, 75]) expect(telegram.chat(chat)).toEqual([]);

    const second = await chorus("broadcast", "send", String(summary.id));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/already sent; nothing was sent again/);
    expect(telegram.callsOf("sendMessage")).toHaveLength(3);

    const status = json<{ status: string; deliveries: Record<string, number> }>(
      (await chorus("broadcast", "status", String(summary.id), "--json")).stdout,
    );
    expect(status.status).toBe("sent");
    expect(status.deliveries).toMatchObject({ sent: 3, pending: 0 });
    const actions = json<{ action: string }[]>((await chorus("audit", "--json", "--action", "broadcast")).stdout);
    expect(actions.map((a) => a.action)).toEqual(["broadcast.send", "broadcast.create"]);
  });

  it("filters by platform, status, locale, country and not finished", async () => {
    const count = async (...filter: string[]) => {
      const result = await chorus("broadcast", "create", "--study", "mini", "--text", "en=Hi", "--json", ...filter);
      return result.code === 0 ? json<{ total: number }>(result.stdout).total : result.code;
    };
    expect(await count("--locale", "es")).toBe(1);
    expect(await count("--country", "us,mx")).toBe(2);
    expect(await count("--not-finished")).toBe(1);
    expect(await count("--status", "completed")).toBe(2);
    expect(await count("--platform", "slack")).toBe(1); // nobody: exit 1
  });

  it("bad input: unknown study or broadcast, empty filter, a status never messaged, no message", async () => {
    const unknown = await chorus("broadcast", "create", "--study", "nope", "--text", "en=Hi");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No study with id "nope"/);

    const empty = await chorus("broadcast", "create", "--study", "mini", "--locale", "nl", "--text", "en=Hi");
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/No participant matches this filter .*nothing was created and nothing will be sent/);
    expect(db.sqlite.prepare("SELECT count(*) AS n FROM broadcasts").get()).toEqual({ n: 0 });
    expect(db.sqlite.prepare("SELECT count(*) AS n FROM deliveries").get()).toEqual({ n: 0 });

    const paused = await chorus("broadcast", "create", "--study", "mini", "--status", "paused", "--text", "en=Hi");
    expect(paused.code).toBe(2);
    expect(paused.stderr).toMatch(/paused participants are never messaged/);

    const noMessage = await chorus("broadcast", "create", "--study", "mini");
    expect(noMessage.code).toBe(2);
    const badKey = await chorus("broadcast", "create", "--study", "mini", "--key", "survey.nothing");
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/unknown message key/);

    for (const command of ["preview", "send", "status", "cancel", "resume"]) {
      const missing = await chorus("broadcast", command, "999");
      expect(missing.code, command).toBe(1);
      expect(missing.stderr, command).toMatch(/No broadcast with id 999/);
      expect((await chorus("broadcast", command, "x1")).code, command).toBe(2);
    }
    expect(telegram.callsOf("sendMessage")).toHaveLength(0);
  });

  it("cancel: a draft is never sent; a sent broadcast cannot be cancelled", async () => {
    const created = json<{ id: number }>(
      (await chorus("broadcast", "create", "--study", "mini", "--text", "en=Hi", "--json")).stdout,
    );
    const cancelled = await chorus("broadcast", "cancel", String(created.id));
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(/cancelled: 3 recipients: 0 sent, 0 pending, 3 skipped/);
    const send = await chorus("broadcast", "send", String(created.id));
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/was cancelled/);
    expect(telegram.callsOf("sendMessage")).toHaveLength(0);
  });

  it("a start-button broadcast reaches only those who can start new scenarios, with the locale's text", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "telegram", userId: "81", assigned: ["weather", "headache"] },
      { platform: "telegram", userId: "82", assigned: ["weather", "headache", "attention"] },
    ]);
    const created = json<{ id: number; total: number }>(
      (
        await chorus(
          "broadcast",
          "create",
          "--study",
          "mini",
          "--key",
          "broadcast.new_scenarios",
          "--start-button",
          "--json",
        )
      ).stdout,
    );
    // 71 and 72 (nothing assigned yet in this seed) and 81; not 82 (had every scenario) nor 76 (mid-way).
    expect(created.total).toBe(3);
    const preview = await chorus("broadcast", "preview", String(created.id));
    // Each locale's sample names the study in that locale (the Spanish text is the translators').
    expect(preview.stdout).toMatch(/--- es ---\n[^\n]*Estudio de prueba/);
    expect(preview.stdout).toMatch(/--- en ---\nNew scenarios are ready in Mini test study/);
    expect(preview.stdout).toMatch(/\[ Start the new scenarios \]/);
  });
});

describe("chorus stats, scenario, recruit, backup", () => {
  it("stats shows participants by status, assessments per scenario and quota cells", async () => {
    seedParticipants(db.sqlite, "mini", [
      { platform: "telegram", userId: "1", country: "US" },
      { platform: "telegram", userId: "2", country: "US", status: "active", phase: "task" },
      { platform: "slack", userId: "U0XYZ1", country: "MX" },
    ]);
    const text = await chorus("stats", "--study", "mini");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Participants: 3 \(admitted 3\): active 1, completed 2/);
    expect(text.stdout).toMatch(/By platform: telegram 2, slack 1/);
    expect(text.stdout).toMatch(/country_of_residence=US\s+2\s+2\s+FULL/);
    expect(text.stdout).toMatch(/weather\s+0\s+0\s+0/);
    const stats = json<{ quota: { cells: unknown[] }; participants: { byStatus: Record<string, number> } }>(
      (await chorus("stats", "--study", "mini", "--json")).stdout,
    );
    expect(stats.quota.cells).toEqual([
      { cell: { country_of_residence: "MX" }, target: 5, count: 1, full: false },
      { cell: { country_of_residence: "US" }, target: 2, count: 2, full: true },
    ]);
    const unknown = await chorus("stats", "--study", "nope");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No study with id "nope"/);
  });

  it("scenario add appends a new version the engine reads; bad files and clashing ids are refused whole", async () => {
    const file = join(db.dir, "more.yaml");
    writeFileSync(
      file,
      `- id: umbrella-2
  messages: [{ role: user, content: Is it going to rain? }]
  responses:
    - { label: A, text: Maybe. }
    - { label: B, text: Check a forecast. }
    - { label: C, text: No. }
    - { label: D, text: Yes. }
`,
    );
    const added = await chorus("scenario", "add", file, "--study", "mini");
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/Added 1 scenario\(s\) to study "mini" \(now v2, 4 scenarios\): umbrella-2/);
    const listed = json<{ id: string }[]>((await chorus("scenario", "list", "--study", "mini", "--json")).stdout);
    expect(listed.map((s) => s.id)).toEqual(["weather", "headache", "attention", "umbrella-2"]);
    expect(db.sqlite.prepare("SELECT version FROM studies WHERE id = 'mini'").get()).toEqual({ version: 2 });

    const clash = await chorus("scenario", "add", file, "--study", "mini");
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/already has scenario\(s\) umbrella-2/);
    const unknown = await chorus("scenario", "add", file, "--study", "nope");
    expect(unknown.code).toBe(1);
    expect((await chorus("scenario", "list", "--study", "nope")).code).toBe(1);

    writeFileSync(file, "id: bad\nmessages: []\nresponses: []\n");
    const invalid = await chorus("scenario", "add", file, "--study", "mini");
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/messages/);
    expect(invalid.stderr).toMatch(/nothing added/);

    const jsonl = await chorus("scenario", "add", join(FIXTURES, "studies", "comparisons.jsonl"), "--study", "mini");
    expect(jsonl.code).toBe(0);
    const actions = json<{ action: string }[]>((await chorus("audit", "--json", "--action", "scenario")).stdout);
    expect(actions).toHaveLength(2);
  });

  it("recruit link: the deep link with the bot's username (config, else getMe); a bad source is exit 2", async () => {
    const link = await chorus("recruit", "link", "--source", "uni_fair-2026");
    expect(link.code).toBe(0);
    expect(link.stdout.trim()).toBe(`https://t.me/${telegram.botUsername}?start=uni_fair-2026`);
    expect(telegram.callsOf("getMe")).toHaveLength(1);
    env.TELEGRAM_BOT_USERNAME = "@chorus_study_bot";
    expect((await chorus("recruit", "link", "--source", "x")).stdout.trim()).toBe(
      "https://t.me/chorus_study_bot?start=x",
    );
    const bad = await chorus("recruit", "link", "--source", "has space");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected 1–64 characters/);
  });

  it("recruit post: an invitation with a Take part button (the Slack adapter's action) whose value is the source", async () => {
    const slack = await startFakeSlackServer();
    try {
      env.SLACK_BOT_TOKEN = "xoxb-test-token";
      env.SLACK_APP_TOKEN = "xapp-test-token";
      env.SLACK_API_URL = slack.apiUrl;
      const posted = await chorus("recruit", "post", "--slack-channel", "C0GENERAL", "--source", "slack-general");
      expect(posted.code).toBe(0);
      const [message] = slack.messagesIn("C0GENERAL");
      expect(message?.text).toMatch(/Mini test study/);
      const button = message?.blocks[1]?.elements?.[0];
      expect(button).toMatchObject({ action_id: "chorus.take_part", value: "slack-general" });
      expect(button?.text?.text).toBe("Take part");
      const bad = await chorus("recruit", "post", "--slack-channel", "#general", "--source", "x");
      expect(bad.code).toBe(2);
    } finally {
      await slack.close();
    }
  });

  it("backup: a checked copy, refused over an existing file without --force", async () => {
    seedParticipants(db.sqlite, "mini", [{ platform: "telegram", userId: "9" }]);
    const file = join(db.dir, "copy.db");
    const done = await chorus("backup", file, "--json");
    expect(done.code).toBe(0);
    const result = json<{ integrity: string; rows: Record<string, number>; foreignKeyViolations: number }>(done.stdout);
    expect(result).toMatchObject({ integrity: "ok", foreignKeyViolations: 0 });
    expect(result.rows.participants).toBe(1);
    const again = await chorus("backup", file);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists/);
    expect((await chorus("backup", file, "--force")).code).toBe(0);
  });
});
