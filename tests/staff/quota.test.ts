import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "../../src/core/engine-types.js";
import type { Input } from "../../src/core/flow/inputs.js";
import type { Prompt } from "../../src/core/flow/prompts.js";
import { computeStats } from "../../src/staff/stats.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { createTestEngine } from "../helpers/engine.js";

/**
 * Quota cells end to end: the real engine and store on a migrated database.
 * The mini study's quota: country_of_residence, US target 2, every other
 * cell (including "prefer not to say") the default target 5.
 */

let db: TestDatabase;
let engine: Engine;

beforeEach(() => {
  db = createTestDatabase();
  seedMiniStudy(db);
  engine = createTestEngine(db);
});

afterEach(() => db.cleanup());

/** Takes one participant from /start through the profile; returns the prompts after the last answer. */
function joinWith(userId: string, country: string): Prompt[] {
  const ref = { platform: "telegram" as const, platformUserId: userId };
  let prompts = engine.handle(ref, { kind: "start", source: "quota-test" }).prompts;
  const choose = (choice: string) => {
    const question = prompts.findLast((p) => p.kind === "question");
    if (question?.kind !== "question") throw new Error(`no question to answer with ${choice}`);
    const input: Input = { kind: "choice", step: question.step, choice };
    prompts = engine.handle(ref, input).prompts;
  };
  for (const choice of ["en", "yes", "hot", "18-29", country]) choose(choice);
  return prompts;
}

function keysOf(prompts: Prompt[]): string[] {
  return prompts.flatMap((p) => ("text" in p && typeof p.text === "object" && "key" in p.text ? [p.text.key] : []));
}

function statusOf(userId: string): string | undefined {
  return (
    db.sqlite.prepare("SELECT status FROM participants WHERE platform_user_id = ?").get(userId) as
      | { status: string }
      | undefined
  )?.status;
}

describe("quota cells", () => {
  it("admits people until their cell is full, then thanks the next one and asks nothing more", () => {
    expect(keysOf(joinWith("1", "US"))).toContain("briefing.ready");
    expect(keysOf(joinWith("2", "US"))).toContain("briefing.ready");
    const third = joinWith("3", "US");
    expect(keysOf(third)).toEqual(["quota.full"]);
    expect(third.some((p) => p.kind === "question")).toBe(false);
    expect(statusOf("3")).toBe("quota_full");
    // Nothing else is asked afterwards, whatever they send.
    const again = engine.handle({ platform: "telegram", platformUserId: "3" }, { kind: "text", text: "hello?" });
    expect(keysOf(again.prompts)).toEqual(["quota.full"]);
    // Another cell is still open.
    expect(keysOf(joinWith("4", "MX"))).toContain("briefing.ready");

    const [stats] = computeStats(db.sqlite, "mini");
    expect(stats?.quota?.cells).toEqual([
      { cell: { country_of_residence: "MX" }, target: 5, count: 1, full: false },
      { cell: { country_of_residence: "US" }, target: 2, count: 2, full: true },
    ]);
    expect(stats?.participants.byStatus.quota_full).toBe(1);
  });

  it('"prefer not to say" is a cell of its own that fills up too', () => {
    for (let i = 0; i < 5; i++) expect(keysOf(joinWith(`u${i}`, "pnts"))).toContain("briefing.ready");
    expect(keysOf(joinWith("u5", "pnts"))).toEqual(["quota.full"]);
    const [stats] = computeStats(db.sqlite, "mini");
    // The listed US cell shows with nobody in it yet.
    expect(stats?.quota?.cells).toEqual([
      { cell: { country_of_residence: "US" }, target: 2, count: 0, full: false },
      { cell: { country_of_residence: "undisclosed" }, target: 5, count: 5, full: true },
    ]);
  });

  it("a withdrawal frees a place in the cell", () => {
    joinWith("1", "US");
    joinWith("2", "US");
    const ref = { platform: "telegram" as const, platformUserId: "1" };
    const asked = engine.handle(ref, { kind: "command", name: "withdraw" }).prompts;
    const confirm = asked.findLast((p) => p.kind === "question");
    if (confirm?.kind !== "question") throw new Error("no withdraw confirmation");
    engine.handle(ref, { kind: "choice", step: confirm.step, choice: "yes" });
    expect(keysOf(joinWith("3", "US"))).toContain("briefing.ready");
  });
});
