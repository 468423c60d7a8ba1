import { PassThrough } from "node:stream";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runPilot } from "../../src/console/pilot.js";
import { createEngine } from "../../src/core/engine.js";
import { createI18n } from "../../src/i18n/index.js";
import { LOCALES_DIR } from "../../src/paths.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { collectOutput } from "../helpers/output.js";

/**
 * The terminal pilot when an input cannot be handled (here: another process
 * keeps the database locked past every retry): one translated line, the
 * pilot keeps reading, and the next input works once the lock is gone.
 */

const i18n = createI18n({ localesDir: LOCALES_DIR });
let db: TestDatabase;
let locker: Database.Database;

beforeEach(() => {
  db = createTestDatabase();
  seedMiniStudy(db);
  // Wait 5 ms per attempt instead of 5 s: the lock below is never going to be released in time.
  db.sqlite.pragma("busy_timeout = 5");
  locker = new Database(db.path);
});

afterEach(() => {
  if (locker.inTransaction) locker.exec("ROLLBACK");
  locker.close();
  db.cleanup();
});

/** A pilot on piped input; `printed(text)` resolves once the output contains `text`. */
function startPilot(signal?: AbortSignal) {
  const input = new PassThrough();
  const output = new PassThrough();
  const printed = collectOutput();
  output.on("data", printed.append);
  const busyAttempts: number[] = [];
  const engine = createEngine({
    store: createSurveyStore(db, { busy: { retries: 2, onBusy: (attempt) => busyAttempts.push(attempt) } }),
    clock: { now: () => new Date("2026-03-01T10:00:00.000Z") },
    random: () => 0.25,
    newParticipantId: () => "p-pilot",
    locales: i18n.locales,
  });
  const done = runPilot({
    engine,
    i18n,
    input,
    output,
    userId: "ana",
    suggestedLocale: "es",
    ...(signal ? { signal } : {}),
  });
  return {
    input,
    done,
    busyAttempts,
    output: printed.text,
    printed: printed.printed,
  };
}

describe("terminal pilot: inputs that cannot be handled", () => {
  it("answers a locked database in one translated line, saves nothing, and the next input works", async () => {
    const pilot = startPilot();
    await pilot.printed(i18n.fixedT("es")("language.choose"));

    locker.exec("BEGIN IMMEDIATE");
    pilot.input.write("2\n");
    const busy = i18n.fixedT("es")("errors.busy");
    await pilot.printed(busy);
    // Tried three times (two retries), then reported; the choice was not saved.
    expect(pilot.busyAttempts).toEqual([1, 2]);
    expect(db.sqlite.prepare("SELECT step FROM flow_states WHERE participant_id = 'p-pilot'").get()).toEqual({
      step: 1,
    });
    const failedAt = pilot.output().lastIndexOf(busy);
    expect(pilot.output().slice(failedAt).trim().split("\n")).toHaveLength(1);

    locker.exec("COMMIT");
    pilot.input.write("1\n");
    pilot.input.end();
    await pilot.done;
    expect(pilot.output().slice(failedAt)).toContain(i18n.fixedT("en")("consent.ask"));
    expect(db.sqlite.prepare("SELECT locale FROM participants WHERE id = 'p-pilot'").get()).toEqual({ locale: "en" });
  });

  it("stops like the end of its input when the entry point is signalled", async () => {
    const stop = new AbortController();
    const pilot = startPilot(stop.signal);
    await pilot.printed(i18n.fixedT("es")("language.choose"));
    stop.abort("SIGTERM");
    await pilot.done;
    expect(db.sqlite.prepare("SELECT count(*) AS n FROM participants").get()).toEqual({ n: 1 });
  });
});
