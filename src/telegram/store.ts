import { can, staffRole } from "../staff/staff.js";
import { computeStats } from "../staff/stats.js";
import type { OpenedDatabase } from "../store/client.js";
import { createReachability } from "../store/reachability.js";
import type { TelegramStore } from "./deps.js";

/** The Telegram adapter's store operations over the shared database. */
export function createTelegramStore(database: Pick<OpenedDatabase, "sqlite">): TelegramStore {
  const reachability = createReachability(database);
  return {
    markUnreachable: (userId, at) => {
      reachability.markUnreachable("telegram", userId, at);
    },
    markReachable: (userId, at) => {
      reachability.markReachable("telegram", userId, at);
    },
    isStaff: (userId) => can(staffRole(database.sqlite, { platform: "telegram", userId }), "stats"),
    stats: () => ({
      studies: computeStats(database.sqlite).map((study) => ({
        studyId: study.id,
        byStatus: study.participants.byStatus,
        assessments: study.assessments,
      })),
    }),
  };
}
