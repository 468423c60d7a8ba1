import { ChorusError } from "../core/errors.js";
import { PARTICIPANT_STATUSES, type ParticipantStatus } from "../core/flow/effects.js";
import { quotaTarget, UNDISCLOSED } from "../core/study/quota.js";
import type { Study } from "../core/study/schema.js";
import type { SqliteConnection } from "../store/client.js";
import type { StudyStatus } from "../store/schema.js";
import { admittedByAnswers, admittedCount, participantsByStatusAndPlatform, scenarioCounts } from "../store/stats.js";
import { readStoredStudies, studyOf } from "../store/stored-study.js";

/** What `chorus stats` and the in-chat stats show for one study. */
export interface StudyStats {
  id: string;
  version: number;
  status: StudyStatus;
  participants: {
    total: number;
    /** Passed the quota check (counted in quota cells). */
    admitted: number;
    byStatus: Record<ParticipantStatus, number>;
    byPlatform: Record<string, number>;
  };
  scenarios: { id: string; assessments: number; assigned: number; inProgress: number }[];
  assessments: number;
  quota: QuotaStats | null;
}

export interface QuotaStats {
  dimensions: string[];
  defaultTarget: number | null;
  /** Every cell with a target or a participant: listed cells (all dimensions set) and cells people are in. */
  cells: QuotaCellStats[];
}

interface QuotaCellStats {
  /** One value per dimension; `undisclosed` stands for "prefer not to say". */
  cell: Record<string, string>;
  /** null: no limit. */
  target: number | null;
  count: number;
  full: boolean;
}

class UnknownStudyError extends ChorusError {
  override readonly name = "UnknownStudyError";
  readonly code = "UNKNOWN_STUDY";
  constructor(readonly studyId: string) {
    super(`No study with id "${studyId}" (see: chorus study list)`);
  }
}

/** Stats for one study, or every study (oldest first) when `studyId` is undefined. */
export function computeStats(sqlite: SqliteConnection, studyId?: string): StudyStats[] {
  const rows = readStoredStudies(sqlite).filter((row) => studyId === undefined || row.id === studyId);
  if (studyId && rows.length === 0) throw new UnknownStudyError(studyId);
  return rows.map((row) => studyStats(sqlite, row, studyOf(sqlite, row)));
}

function studyStats(
  sqlite: SqliteConnection,
  row: { id: string; version: number; status: StudyStatus },
  study: Study,
): StudyStats {
  const byStatus = Object.fromEntries(PARTICIPANT_STATUSES.map((status) => [status, 0])) as Record<
    ParticipantStatus,
    number
  >;
  const byPlatform: Record<string, number> = {};
  let total = 0;
  for (const group of participantsByStatusAndPlatform(sqlite, row.id)) {
    byStatus[group.status] = (byStatus[group.status] ?? 0) + group.n;
    byPlatform[group.platform] = (byPlatform[group.platform] ?? 0) + group.n;
    total += group.n;
  }
  const admitted = admittedCount(sqlite, row.id);
  const scenarios = scenarioCounts(sqlite, row.id);
  return {
    id: row.id,
    version: row.version,
    status: row.status,
    participants: { total, admitted, byStatus, byPlatform },
    scenarios,
    assessments: scenarios.reduce((sum, scenario) => sum + scenario.assessments, 0),
    quota: quotaStats(sqlite, study),
  };
}

/**
 * Quota cells as the engine checks them: a participant's cell is one value
 * per dimension ("undisclosed" for prefer-not-to-say); its target is the
 * first listed rule whose match it satisfies, else the default; its count is
 * the admitted participants in exactly that cell.
 */
function quotaStats(sqlite: SqliteConnection, study: Study): QuotaStats | null {
  const quota = study.quota;
  if (!quota) return null;
  const dims = quota.dimensions;
  const cells = new Map<string, QuotaCellStats>();
  const add = (cell: Record<string, string>, count: number) => {
    const key = JSON.stringify(dims.map((dim) => cell[dim]));
    const existing = cells.get(key);
    if (existing) {
      existing.count += count;
      existing.full = existing.target !== null && existing.count >= existing.target;
      return;
    }
    const target = quotaTarget(quota, cell) ?? null;
    cells.set(key, { cell, target, count, full: target !== null && count >= target });
  };
  for (const entry of quota.cells) {
    if (dims.every((dim) => entry.match[dim] !== undefined)) {
      add(Object.fromEntries(dims.map((dim) => [dim, entry.match[dim] as string])), 0);
    }
  }
  for (const group of admittedByAnswers(sqlite, study.id, dims, UNDISCLOSED)) {
    add(Object.fromEntries(dims.map((dim, i) => [dim, group.values[i] as string])), group.n);
  }
  const order = (entry: QuotaCellStats) => JSON.stringify(dims.map((d) => entry.cell[d]));
  const sorted = [...cells.values()].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return { dimensions: [...dims], defaultTarget: quota.defaultTarget ?? null, cells: sorted };
}
