import type Database from "better-sqlite3";
import type { ParticipantStatus } from "../../src/core/flow/effects.js";
import type { Phase } from "../../src/core/flow/state.js";
import { initialState } from "../../src/core/flow/transition.js";
import type { Platform } from "../../src/core/ports.js";

/**
 * Writes participants straight into the store, in the shape the engine
 * leaves them (participant row, flow state, profile answers, assignments),
 * for tests that need hundreds of people in given states quickly. Tests of
 * the journey itself go through the engine instead.
 */
interface ParticipantSpec {
  id?: string;
  platform: Platform;
  userId: string;
  status?: ParticipantStatus;
  locale?: string;
  consented?: boolean;
  phase?: Phase;
  paused?: boolean;
  step?: number;
  country?: string;
  /** Scenario ids already assigned (and completed when the phase is completed). */
  assigned?: string[];
  admitted?: boolean;
}

const AT = "2026-02-01T00:00:00.000Z";

export function seedParticipants(sqlite: Database.Database, studyId: string, specs: ParticipantSpec[]): string[] {
  const participant = sqlite.prepare(
    `INSERT INTO participants (id, platform, platform_user_id, study_id, locale, status, consent_version, consented_at,
       admitted_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const state = sqlite.prepare("INSERT INTO flow_states (participant_id, state, step, updated_at) VALUES (?, ?, ?, ?)");
  const profile = sqlite.prepare(
    "INSERT INTO profile_answers (participant_id, question_id, value, answered_at) VALUES (?, ?, ?, ?)",
  );
  const assignment = sqlite.prepare(
    `INSERT INTO assignments (participant_id, study_id, scenario_id, position, shown_order, form, assigned_at, completed_at)
     VALUES (?, ?, ?, ?, 'ABCD', 'short', ?, ?)`,
  );
  const ids: string[] = [];
  sqlite.transaction(() => {
    specs.forEach((spec, index) => {
      const id = spec.id ?? `p-${spec.platform}-${spec.userId}`;
      const status = spec.status ?? "completed";
      const consented = spec.consented ?? true;
      const phase = spec.phase ?? (status === "completed" ? "completed" : "task");
      const step = spec.step ?? 10 + index;
      const locale = spec.locale ?? "en";
      participant.run(
        id,
        spec.platform,
        spec.userId,
        studyId,
        locale,
        status,
        consented ? "1" : null,
        consented ? AT : null,
        (spec.admitted ?? consented) ? AT : null,
        AT,
        AT,
      );
      const flow = {
        ...initialState(studyId, locale, AT),
        phase,
        step,
        paused: spec.paused ?? status === "paused",
        assignments: (spec.assigned ?? []).map((scenarioId, position) => ({
          scenarioId,
          position,
          shownOrder: "ABCD",
          form: "short",
        })),
        taskIndex: spec.assigned?.length ?? 0,
      };
      state.run(id, JSON.stringify(flow), step, AT);
      if (spec.country) profile.run(id, "country_of_residence", spec.country, AT);
      (spec.assigned ?? []).forEach((scenarioId, position) => {
        assignment.run(id, studyId, scenarioId, position, AT, phase === "completed" ? AT : null);
      });
      ids.push(id);
    });
  })();
  return ids;
}
