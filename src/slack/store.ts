import { can, staffRole } from "../staff/staff.js";
import { computeStats } from "../staff/stats.js";
import type { OpenedDatabase } from "../store/client.js";
import type { StaffPort } from "./deps.js";

/** The Slack adapter's staff questions over the shared database. */
export function createSlackStaff(database: Pick<OpenedDatabase, "sqlite">): StaffPort {
  return {
    canSeeStats: (userId) => can(staffRole(database.sqlite, { platform: "slack", userId }), "stats"),
    stats: () =>
      computeStats(database.sqlite).map((study) => ({
        studyId: study.id,
        byStatus: study.participants.byStatus,
        assessments: study.assessments,
      })),
  };
}
