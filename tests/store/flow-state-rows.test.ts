import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nextInput } from "../../bench/simulated-participant.js";
import type { Engine, EngineResult } from "../../src/core/engine-types.js";
import type { Input } from "../../src/core/flow/inputs.js";
import type { FlowState } from "../../src/core/flow/state.js";
import { createInputBatcher } from "../../src/core/input-batcher.js";
import { DEFAULT_MIGRATIONS_FOLDER, openDatabase } from "../../src/store/client.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { createTestDatabase, loadMiniStudy, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { createTestEngine } from "../helpers/engine.js";

/** The flow_states row: the document without the plans, the plans apart, and the revision every write raises. */

let db: TestDatabase;
beforeEach(() => {
  db = createTestDatabase();
  seedMiniStudy(db);
});
afterEach(() => db.cleanup());

const ref = { platform: "telegram" as const, platformUserId: "77" };
const study = loadMiniStudy();

interface Row {
  state: string;
  assignments: string | null;
  revision: number;
  step: number;
}
const row = (): Row | undefined =>
  db.sqlite.prepare<[], Row>("SELECT state, assignments, revision, step FROM flow_states").get();

function isCompletion(result: EngineResult): boolean {
  return result.prompts.some((p) => p.kind === "message" && "key" in p.text && p.text.key.startsWith("completed."));
}

let eventId = 1000;

/** Feeds the sensible next input until `stop` says so or the study is done: the last result, and how many inputs. */
function walk(
  engine: Engine,
  stop: (result: EngineResult) => boolean = () => false,
  first: Input = { kind: "start" },
): { result: EngineResult; inputs: number } {
  let input: Input | undefined = first;
  let result: EngineResult | undefined;
  let inputs = 0;
  while (input) {
    result = engine.handle(ref, input, { eventId: String(eventId++) });
    inputs++;
    if (stop(result) || isCompletion(result)) break;
    input = nextInput(result.prompts, study);
  }
  if (!result) throw new Error("no input was handled");
  return { result, inputs };
}

const inTask = (result: EngineResult) => result.prompts.some((p) => p.kind === "card");

describe("the lean state row", () => {
  it("keeps the plans out of the document, writes them only when they change, and empties the profile once checked", () => {
    db.sqlite.exec(`CREATE TEMP TABLE plan_writes (n INTEGER);
      CREATE TEMP TRIGGER plan_written AFTER UPDATE OF assignments ON main.flow_states
      BEGIN INSERT INTO plan_writes VALUES (1); END;`);
    const engine = createTestEngine(db);
    const toTask = walk(engine, inTask);
    const during = row();
    if (!during) throw new Error("no state row");
    const document = JSON.parse(during.state) as Record<string, unknown>;
    expect(document).not.toHaveProperty("assignments");
    expect(document).toMatchObject({ phase: "task", profile: {} });
    const plans = JSON.parse(during.assignments ?? "[]") as FlowState["assignments"];
    expect(plans.map((plan) => plan.position)).toEqual([0, 1]);
    // Every input raised the revision once.
    expect(during.revision).toBe(toTask.inputs);

    const next = nextInput(toTask.result.prompts, study);
    if (!next) throw new Error("nothing to answer");
    const rest = walk(engine, () => false, next);
    expect(isCompletion(rest.result)).toBe(true);
    const done = row();
    expect(JSON.parse(done?.state ?? "{}")).toMatchObject({ phase: "completed", profile: {} });
    expect(JSON.parse(done?.state ?? "{}")).not.toHaveProperty("task");
    expect(done?.assignments).toBe(during.assignments);
    // The plans were written once, at admission; every other input rewrote only the document.
    expect(db.sqlite.prepare("SELECT count(*) FROM plan_writes").pluck().get()).toBe(1);
    // A restart reads the two columns back as one state.
    const restarted = createSurveyStore(openDatabase(db.path)).loadState(
      db.sqlite.prepare("SELECT participant_id FROM flow_states").pluck().get() as string,
    );
    expect(restarted).toMatchObject({ phase: "completed", assignments: plans });
  });

  it("hands back the object it saved while the revision holds, and reads a hand edit (the trigger raises it)", () => {
    const store = createSurveyStore(db);
    const id = walk(createTestEngine(db), inTask).result.participantId ?? "";
    const saved = store.loadState(id) as FlowState;
    store.saveState(id, { ...saved, step: saved.step + 1 }, "2026-03-01T10:05:00.000Z");
    const mine = store.loadState(id);
    expect(store.loadState(id)).toBe(mine);

    const before = row()?.revision ?? 0;
    db.sqlite.prepare("UPDATE flow_states SET state = json_set(state, '$.locale', 'es')").run();
    expect(row()?.revision).toBe(before + 1);
    const edited = store.loadState(id) as FlowState;
    expect(edited).not.toBe(mine);
    expect(edited).toMatchObject({ locale: "es", step: saved.step + 1, assignments: saved.assignments });
  });

  it("follows another process's writes, plans included, whichever of the two wrote last", () => {
    const id = walk(createTestEngine(db), inTask).result.participantId ?? "";
    const first = createSurveyStore(db);
    const otherConnection = openDatabase(db.path);
    const second = createSurveyStore(otherConnection);
    const at = "2026-03-01T11:00:00.000Z";

    const stateA = first.loadState(id) as FlowState;
    first.saveState(id, stateA, at);
    const reversed = [...stateA.assignments].reverse().map((plan, position) => ({ ...plan, position }));
    second.saveState(id, { ...(second.loadState(id) as FlowState), assignments: reversed }, at);
    expect((first.loadState(id) as FlowState).assignments).toEqual(reversed);

    // A save of a state holding the plans this process wrote before: the row's newer plans are replaced, not kept.
    first.saveState(id, { ...stateA, step: stateA.step + 5 }, at);
    expect(second.loadState(id)).toMatchObject({ step: stateA.step + 5, assignments: stateA.assignments });
    otherConnection.close();
  });

  it("does not trust a state whose write was rolled back, even once another writer has reached its revision", () => {
    const store = createSurveyStore(db);
    const id = walk(createTestEngine(db), inTask).result.participantId ?? "";
    const saved = store.loadState(id) as FlowState;
    const at = "2026-03-01T10:05:00.000Z";
    // An input whose save is undone: its savepoint (inside the group's transaction) throws after saving.
    store.transaction(() => {
      expect(() =>
        store.transaction(() => {
          store.saveState(id, { ...saved, locale: "undone" }, at);
          throw new Error("the input failed after saving");
        }),
      ).toThrow("the input failed");
    });
    expect(store.loadState(id)).toMatchObject({ locale: saved.locale });
    // Then one write by someone else: the row reaches the revision the undone save had.
    db.sqlite.prepare("UPDATE flow_states SET state = json_set(state, '$.locale', 'es')").run();
    expect(store.loadState(id)).toMatchObject({ locale: "es", step: saved.step });

    // The same for a whole transaction undone.
    expect(() =>
      store.transaction(() => {
        store.saveState(id, { ...saved, locale: "undone too" }, at);
        throw new Error("the transaction failed after saving");
      }),
    ).toThrow("the transaction failed");
    db.sqlite.prepare("UPDATE flow_states SET state = json_set(state, '$.locale', 'fr')").run();
    expect(store.loadState(id)).toMatchObject({ locale: "fr", step: saved.step });
  });
});

describe("a state the previous release wrote", () => {
  /** The migrations as the previous release shipped them: those before the one that adds the revision. */
  function previousMigrations(): string {
    const folder = join(db.dir, "previous-migrations");
    mkdirSync(join(folder, "meta"), { recursive: true });
    const journal = JSON.parse(readFileSync(join(DEFAULT_MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as {
      entries: { tag: string }[];
    };
    // Everything before it: drizzle applies only migrations newer than the last one applied.
    const at = journal.entries.findIndex((entry) => entry.tag.endsWith("_flow_state_revision"));
    expect(at).toBeGreaterThan(0);
    const entries = journal.entries.slice(0, at);
    for (const entry of entries) {
      copyFileSync(join(DEFAULT_MIGRATIONS_FOLDER, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
    }
    writeFileSync(join(folder, "meta/_journal.json"), JSON.stringify({ ...journal, entries }));
    return folder;
  }

  it("loads after the upgrade (one document, a version 1 one too) and goes on in the lean row", () => {
    // The states, taken mid-scenario by the current code, then written the way the previous release did.
    const id = walk(createTestEngine(db), inTask).result.participantId ?? "";
    const state = createSurveyStore(db).loadState(id) as FlowState;
    const task = state.task;
    if (!task) throw new Error("not in a task");
    const { layout: _layout, open: _open, opens: _opens, ...v1task } = task;
    const version1 = { ...state, schemaVersion: 1, task: { ...v1task, stage: "reading", viewing: 1, seen: [0, 1] } };

    const path = join(db.dir, "previous.db");
    const previous = openDatabase(path, { migrationsFolder: previousMigrations() });
    seedMiniStudy(previous);
    const participant = previous.sqlite.prepare(
      `INSERT INTO participants (id, platform, platform_user_id, study_id, locale, status, created_at, updated_at)
       VALUES (?, 'telegram', ?, 'mini', 'en', 'active', 't', 't')`,
    );
    const oldSave = previous.sqlite.prepare(
      "INSERT INTO flow_states (participant_id, state, step, updated_at) VALUES (?, ?, ?, 't')",
    );
    participant.run("p-current", "77");
    oldSave.run("p-current", JSON.stringify(state), state.step);
    participant.run("p-version1", "78");
    oldSave.run("p-version1", JSON.stringify(version1), state.step);
    previous.close();

    const upgraded = openDatabase(path);
    try {
      const engine = createTestEngine({ ...upgraded, dir: db.dir, path, cleanup: () => {} });
      for (const platformUserId of ["77", "78"]) {
        const press: Input = { kind: "choice", step: state.step, choice: "p:A" };
        const result = engine.handle({ platform: "telegram", platformUserId }, press);
        expect(result.prompts.some((prompt) => prompt.kind === "card")).toBe(true);
      }
      const rows = upgraded.sqlite
        .prepare<[], { id: string } & Row>(
          "SELECT participant_id AS id, state, assignments, revision, step FROM flow_states ORDER BY participant_id",
        )
        .all();
      for (const stored of rows) {
        expect(stored.revision).toBe(1);
        expect(stored.step).toBe(state.step + 1);
        expect(JSON.parse(stored.state)).not.toHaveProperty("assignments");
        expect(JSON.parse(stored.assignments ?? "null")).toEqual(state.assignments);
      }
      const [current, migrated] = rows.map((stored) => JSON.parse(stored.state) as FlowState);
      expect(current?.task?.picks).toEqual([{ label: "A", tied: false }]);
      // Version 1's reading stage became the card: ranking from the first pick, the viewed responses counted.
      expect(migrated).toMatchObject({ schemaVersion: 2, task: { stage: "ranking", open: 1, opens: [1, 1, 0, 0] } });
    } finally {
      upgraded.close();
    }
  });
});

describe("one participant's inputs arriving together", () => {
  it("run in arrival order in one group, each on the state the one before saved", async () => {
    const engine = createTestEngine(db);
    const first = engine.handle(ref, { kind: "start" });
    const pending: Array<() => void> = [];
    const batcher = createInputBatcher(engine, { defer: (flush) => pending.push(flush) });
    const step = first.prompts.find((prompt) => prompt.kind === "question")?.step ?? 0;
    const answers = [
      batcher.handle(ref, { kind: "choice", step, choice: "en" }, { eventId: "e1" }),
      batcher.handle(ref, { kind: "choice", step: step + 1, choice: "yes" }, { eventId: "e2" }),
      batcher.handle(ref, { kind: "choice", step: step + 2, choice: "hot" }, { eventId: "e3" }),
      // A redelivery inside the same group is recognised from the state the first one saved.
      batcher.handle(ref, { kind: "choice", step, choice: "en" }, { eventId: "e1" }),
    ];
    for (const flush of pending.splice(0)) flush();
    const results = await Promise.all(answers);
    expect(results.map((result) => result.duplicate)).toEqual([false, false, false, true]);
    expect(JSON.parse(row()?.state ?? "{}")).toMatchObject({
      phase: "profile",
      step: step + 3,
      recentEvents: ["e1", "e2", "e3"],
    });
    expect(row()?.revision).toBe(4);
  });

  it("stay in order when two processes take turns", () => {
    const engine = createTestEngine(db);
    const otherConnection = openDatabase(db.path);
    const other = createTestEngine({ ...otherConnection, dir: db.dir, path: db.path, cleanup: () => {} });
    let result = engine.handle(ref, { kind: "start" });
    const choices = ["en", "yes", "hot", "18-29", "US"];
    choices.forEach((choice, index) => {
      const step = result.prompts.find((prompt) => prompt.kind === "question")?.step ?? 0;
      result = (index % 2 === 0 ? other : engine).handle(ref, { kind: "choice", step, choice });
      const stale = result.prompts.some((p) => "text" in p && "key" in p.text && p.text.key === "errors.stale");
      expect(stale).toBe(false);
    });
    expect(JSON.parse(row()?.state ?? "{}")).toMatchObject({ phase: "briefing", step: 1 + choices.length });
    expect(row()?.revision).toBe(1 + choices.length);
    otherConnection.close();
  });
});
