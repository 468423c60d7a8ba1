import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PARTICIPANT_TABLES } from "../../src/store/schema.js";
import { runChorusInProcess } from "../helpers/cli.js";
import { useTelegramHarness, walkThroughSurvey } from "../helpers/telegram-harness.js";

/**
 * `chorus participant show|export|withdraw`: an access or erasure request
 * that reached the team by e-mail, answered from the command line, audited
 * under the random participant id only.
 */

const startHarness = useTelegramHarness();

async function participantWithAnswers() {
  const harness = await startHarness();
  const kim = harness.user(7501);
  await walkThroughSurvey(kim, {
    source: "flyer",
    rationale: "The second one is careful and honest, the others are not.",
  });
  const env = { DATABASE_PATH: harness.db.path, LOG_LEVEL: "silent" };
  const participantId = harness.db.sqlite.prepare("SELECT id FROM participants").pluck().get() as string;
  const audit = () =>
    harness.db.sqlite.prepare("SELECT action, details FROM audit_log WHERE origin = 'cli' ORDER BY id").all() as {
      action: string;
      details: string;
    }[];
  return { harness, kim, env, participantId, audit };
}

describe("chorus participant", () => {
  it("show: everything stored, by platform id or participant id, never the platform id; audited", async () => {
    const { kim, env, participantId, audit } = await participantWithAnswers();
    const byPlatform = await runChorusInProcess(["participant", "show", `telegram:${kim.id}`, "--json"], env);
    expect(byPlatform.code, byPlatform.stderr).toBe(0);
    const summary = JSON.parse(byPlatform.stdout);
    expect(summary).toMatchObject({
      participantId,
      platform: "telegram",
      studyId: "mini",
      status: "completed",
      source: "flyer",
      profile: [
        { questionId: "age_band", value: "18-29" },
        { questionId: "country_of_residence", value: "US" },
      ],
    });
    expect(summary.assessments).toHaveLength(2);
    expect(summary.assessments[0].blocks[0].rationale).toBe(
      "The second one is careful and honest, the others are not.",
    );
    expect(byPlatform.stdout).not.toContain(String(kim.id));

    const byId = await runChorusInProcess(["participant", "show", participantId], env);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toContain(`Participant ${participantId} (telegram), study mini, status completed`);
    expect(byId.stdout).toMatch(/world: [A-D>=]+ — "The second one is careful/);
    expect(audit()).toEqual([
      { action: "participant.show", details: JSON.stringify({ participantId }) },
      { action: "participant.show", details: JSON.stringify({ participantId }) },
    ]);
  });

  it("export: a JSON file with every row about them and the summary in their language", async () => {
    const { harness, kim, env, participantId, audit } = await participantWithAnswers();
    await kim.send("/language");
    await kim.press("Español");
    const out = join(harness.db.dir, "request", "kim.json");
    const run = await runChorusInProcess(["participant", "export", `telegram:${kim.id}`, "--out", out], env);
    expect(run.code, run.stderr).toBe(0);
    const file = JSON.parse(readFileSync(out, "utf8"));
    expect(file.participant).toMatchObject({ participantId, locale: "es" });
    expect(file.summary).toContain("• ¿Cuántos años tienes? — 18–29");
    expect(JSON.stringify(file)).not.toContain(String(kim.id));
    expect(audit().map((entry) => entry.action)).toEqual(["participant.export"]);
  });

  it("withdraw: needs --yes, then deletes every row about them; audited with the random id", async () => {
    const { harness, kim, env, participantId, audit } = await participantWithAnswers();
    const refused = await runChorusInProcess(["participant", "withdraw", `telegram:${kim.id}`], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("add --yes");
    const done = await runChorusInProcess(["participant", "withdraw", `telegram:${kim.id}`, "--yes"], env);
    expect(done.code, done.stderr).toBe(0);
    for (const table of ["participants", ...PARTICIPANT_TABLES]) {
      const column = table === "participants" ? "id" : "participant_id";
      expect(
        harness.db.sqlite.prepare(`SELECT count(*) FROM ${table} WHERE ${column} = ?`).pluck().get(participantId),
        table,
      ).toBe(0);
    }
    expect(audit()).toEqual([
      { action: "participant.withdraw", details: JSON.stringify({ participantId, by: "staff" }) },
    ]);
    const again = await runChorusInProcess(["participant", "withdraw", participantId, "--yes"], env);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`No participant ${participantId} (nothing was deleted)`);
  });

  it("exit codes: 2 for a malformed PLATFORM:USER, 1 for nobody", async () => {
    const { env } = await participantWithAnswers();
    const malformed = await runChorusInProcess(["participant", "show", "telegram:abc"], env);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('"abc" is not a telegram user id');
    const nobody = await runChorusInProcess(["participant", "show", "slack:U0NOBODY"], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr.trim()).toBe("No participant slack:U0NOBODY");
  });
});
