import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../../src/core/engine-types.js";
import type { Input } from "../../src/core/flow/inputs.js";
import type { Prompt } from "../../src/core/flow/prompts.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { createTestEngine } from "../helpers/engine.js";

/** The engine on a real migrated database: who becomes a participant, and stored states from older releases. */

let db: TestDatabase;
let engine: Engine;
const ref = { platform: "telegram" as const, platformUserId: "4242" };

beforeEach(() => {
  db = createTestDatabase();
  seedMiniStudy(db);
  engine = createTestEngine(db);
});

afterEach(() => db.cleanup());

function keysOf(prompts: Prompt[]): string[] {
  return prompts.flatMap((p) => ("text" in p && typeof p.text === "object" && "key" in p.text ? [p.text.key] : []));
}

function count(sql: string): number {
  return (db.sqlite.prepare(sql).get() as { n: number }).n;
}

/** Every place a platform id could be kept. */
function traces(): number {
  return (
    count("SELECT count(*) AS n FROM participants") +
    count(`SELECT count(*) AS n FROM audit_log WHERE details LIKE '%${ref.platformUserId}%'`)
  );
}

function currentStep(prompts: Prompt[]): number {
  const asking = prompts.findLast((p) => "step" in p);
  if (!asking || !("step" in asking)) throw new Error("nothing asked");
  return asking.step;
}

describe("who becomes a participant", () => {
  it("after withdrawal, old buttons, replays and double presses store nothing and say so", () => {
    let prompts = engine.handle(ref, { kind: "start" }).prompts;
    const languageStep = currentStep(prompts);
    prompts = engine.handle(ref, { kind: "choice", step: languageStep, choice: "en" }).prompts;
    prompts = engine.handle(ref, { kind: "command", name: "withdraw" }).prompts;
    const yes: Input = { kind: "choice", step: currentStep(prompts), choice: "yes" };
    expect(keysOf(engine.handle(ref, yes, { eventId: "900" }).prompts)).toEqual(["withdraw.done"]);
    expect(count("SELECT count(*) AS n FROM participants")).toBe(0);

    // A double press of "Yes, delete everything" (a new update id), an old consent button, typing.
    expect(keysOf(engine.handle(ref, yes, { eventId: "901" }).prompts)).toEqual(["withdraw.gone"]);
    expect(
      keysOf(engine.handle(ref, { kind: "choice", step: languageStep, choice: "en" }, { eventId: "902" }).prompts),
    ).toEqual(["withdraw.gone"]);
    expect(keysOf(engine.handle(ref, { kind: "text", text: "hello?" }, { eventId: "903" }).prompts)).toEqual([
      "start.how_to_begin",
    ]);
    expect(keysOf(engine.handle(ref, { kind: "command", name: "mydata" }).prompts)).toEqual(["mydata.none"]);
    // The replay of the very update that withdrew them is a no-op.
    expect(engine.handle(ref, yes, { eventId: "900" }).duplicate).toBe(false);
    expect(traces()).toBe(0);
    expect(count("SELECT count(*) AS n FROM processed_events WHERE event_id IN ('901','902','903')")).toBe(0);

    // Only an explicit start makes them a participant again.
    const again = engine.handle(ref, { kind: "start" }, { eventId: "904" });
    expect(again.participantId).toBeDefined();
    expect(count("SELECT count(*) AS n FROM participants")).toBe(1);
  });
});

describe("stored states from an older release", () => {
  function joinAndStartTask(): string {
    let prompts = engine.handle(ref, { kind: "start" }).prompts;
    for (const choice of ["en", "yes", "hot", "18-29", "US", "go"]) {
      prompts = engine.handle(ref, { kind: "choice", step: currentStep(prompts), choice }).prompts;
    }
    const id = db.sqlite.prepare("SELECT id FROM participants").get() as { id: string };
    return id.id;
  }

  function storeRawState(participantId: string, state: unknown): void {
    db.sqlite
      .prepare("UPDATE flow_states SET state = ? WHERE participant_id = ?")
      .run(JSON.stringify(state), participantId);
  }

  function rawState(participantId: string): Record<string, unknown> {
    const row = db.sqlite.prepare("SELECT state FROM flow_states WHERE participant_id = ?").get(participantId) as {
      state: string;
    };
    return JSON.parse(row.state) as Record<string, unknown>;
  }

  it("migrates a version 1 state reading the response viewer, and the participant goes on ranking", () => {
    const id = joinAndStartTask();
    const current = rawState(id);
    const task = current.task as Record<string, unknown>;
    const { layout: _l, open: _o, opens: _s, ...v2task } = task;
    storeRawState(id, {
      ...current,
      schemaVersion: 1,
      task: { ...v2task, stage: "reading", viewing: 2, seen: [0, 1, 2], picks: [] },
    });
    const step = current.step as number;
    const result = engine.handle(ref, { kind: "choice", step, choice: "p:B" });
    const card = result.prompts.find((p) => p.kind === "card");
    expect(card?.kind === "card" && card.layout).toBe("paged");
    const migrated = rawState(id);
    expect(migrated.schemaVersion).toBe(2);
    expect(migrated.task).toMatchObject({ stage: "ranking", open: 2, opens: [1, 1, 1, 0], picks: [{ label: "B" }] });
  });

  it("still answers my data and withdraws a participant whose state no longer validates", () => {
    const id = joinAndStartTask();
    storeRawState(id, { schemaVersion: 99, nonsense: true });
    expect(() => engine.handle(ref, { kind: "choice", step: 1, choice: "p:A" })).toThrow(/invalid/);
    expect(keysOf(engine.handle(ref, { kind: "command", name: "mydata" }).prompts)).toContain("mydata.summary");
    const asked = engine.handle(ref, { kind: "command", name: "withdraw" }).prompts;
    expect(keysOf(asked)).toEqual(["withdraw.confirm"]);
    const done = engine.handle(ref, { kind: "choice", step: currentStep(asked), choice: "yes" });
    expect(keysOf(done.prompts)).toEqual(["withdraw.done"]);
    expect(count("SELECT count(*) AS n FROM participants")).toBe(0);
  });
});
