import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { RECENT_EVENTS } from "../../src/core/flow/state.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { processedEventIds } from "../helpers/processed-events.js";
import { expectCompletedSession } from "../helpers/slack-harness.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RATIONALE = "The second one is careful and honest, the others are not.";
/** Slack participants (Mexico) and Telegram participants (the United States cell, whose quota is two). */
const SLACK_USERS = 3;
const TELEGRAM_USERS = 2;

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Side {
  /** Resolves once the side is set up and waiting. */
  ready: Promise<void>;
  go(): void;
  done: Promise<ChildResult>;
}

/**
 * Runs a side's script with tsx in its own Node process, on the shared
 * database file. The side sets up, prints "ready" and waits for "go".
 */
function runSide(script: string, databasePath: string, count: number): Side {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", `tests/slack/processes/${script}`, databasePath, String(count)],
    { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] },
  );
  // A side that died before "go" reports through its exit code and stderr, not through a broken pipe.
  child.stdin.on("error", () => undefined);
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk;
    if (stdout.startsWith("ready\n")) markReady();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  const done = new Promise<ChildResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      markReady();
      resolve({ code, stdout: stdout.replace(/^ready\n/, ""), stderr });
    });
  });
  return { ready, go: () => child.stdin.end("go\n"), done };
}

let db: TestDatabase | undefined;
afterEach(() => {
  db?.cleanup();
  db = undefined;
});

describe("one database file, a Telegram process and a Slack process", () => {
  it("runs whole sessions on both platforms at the same time and loses nothing", { timeout: 180_000 }, async () => {
    db = createTestDatabase();
    seedMiniStudy(db);
    const sides = [
      runSide("slack-side.ts", db.path, SLACK_USERS),
      runSide("telegram-side.ts", db.path, TELEGRAM_USERS),
    ];
    await Promise.all(sides.map((side) => side.ready));
    for (const side of sides) side.go();
    const [slack, telegram] = await Promise.all(sides.map((side) => side.done));
    if (!slack || !telegram) throw new Error("a side is missing");
    expect(slack.stderr).toBe("");
    expect(telegram.stderr).toBe("");
    expect([slack.code, telegram.code]).toEqual([0, 0]);
    type Walked = { users: string[]; startedAt: number; finishedAt: number };
    const slackSide = JSON.parse(slack.stdout) as Walked & { refused: number };
    const telegramSide = JSON.parse(telegram.stdout) as Walked;
    // The two sessions really ran at the same time.
    expect(slackSide.startedAt).toBeLessThan(telegramSide.finishedAt);
    expect(telegramSide.startedAt).toBeLessThan(slackSide.finishedAt);
    expect(slackSide.users).toHaveLength(SLACK_USERS);
    expect(slackSide.refused).toBe(0);
    expect(telegramSide.users).toHaveLength(TELEGRAM_USERS);

    const sqlite = db.sqlite;
    const ids = [
      ...slackSide.users.map((userId) =>
        expectCompletedSession(sqlite, {
          platform: "slack",
          platformUserId: userId,
          ranking: ["B", "=A", "D", "C"],
          rationale: RATIONALE,
          unacceptable: { display: ["C"], rationale: "It dismisses the question without any care." },
          country: "MX",
        }),
      ),
      ...telegramSide.users.map((userId) =>
        expectCompletedSession(sqlite, {
          platform: "telegram",
          platformUserId: userId,
          ranking: ["B", "=A", "D", "C"],
          rationale: RATIONALE,
        }),
      ),
    ];
    const people = SLACK_USERS + TELEGRAM_USERS;
    expect(new Set(ids).size).toBe(people);
    expect(ids.filter((id) => id.startsWith("slack-"))).toHaveLength(SLACK_USERS);
    expect(ids.filter((id) => id.startsWith("tg-"))).toHaveLength(TELEGRAM_USERS);

    const count = (sql: string) => (sqlite.prepare(sql).get() as { n: number }).n;
    // Nothing else was written, nothing is missing.
    expect(count("SELECT count(*) AS n FROM participants")).toBe(people);
    expect(count("SELECT count(*) AS n FROM assignments")).toBe(2 * people);
    expect(count("SELECT count(*) AS n FROM assessments")).toBe(2 * people);
    expect(count("SELECT count(*) AS n FROM ranking_blocks")).toBe(3 * people);
    expect(count("SELECT count(*) AS n FROM profile_answers")).toBe(2 * people);
    expect(count("SELECT count(*) AS n FROM screening_answers")).toBe(people);
    // The per-scenario counters kept by triggers agree with the rows, across both writers.
    expect(count("SELECT coalesce(sum(assessment_count), 0) AS n FROM scenarios")).toBe(2 * people);
    // Every participant's latest Telegram updates and typed Slack messages are remembered as processed,
    // each under its own platform (a state keeps the newest RECENT_EVENTS of them).
    const telegramEvents = processedEventIds(sqlite, "telegram");
    expect(new Set(telegramEvents).size).toBe(telegramEvents.length);
    expect(telegramEvents.length).toBeGreaterThanOrEqual(RECENT_EVENTS * TELEGRAM_USERS);
    // A Slack participant of the mini study types four reasons (world, personal, unacceptable, short form).
    expect(processedEventIds(sqlite, "slack")).toHaveLength(4 * SLACK_USERS);
    expect(sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(sqlite.pragma("foreign_key_check")).toEqual([]);
  });
});
