import { ChorusError } from "../../core/errors.js";
import type { Study } from "../../core/study/schema.js";
import type { SqliteConnection } from "../../store/client.js";
import { readStoredStudies, studyOf } from "../../store/stored-study.js";

/**
 * What an export or analysis covers: the studies (one with --study, else
 * all), an optional lower bound on completion time (--since), and the
 * profile questions that become demographic columns.
 */

/** A refused research command; `message` is one line for the operator. */
export class ResearchError extends ChorusError {
  override readonly name: string = "ResearchError";
}

/** A malformed option value (a --since that is no date, a --by that is no field): bad usage, exit 2. */
export class ResearchUsageError extends ResearchError {
  override readonly name = "ResearchUsageError";
  override readonly kind = "usage";
}

interface ScopeOptions {
  studyId?: string | undefined;
  /** ISO date or date-time; assessments completed at or after it. */
  since?: string | undefined;
}

export interface ProfileColumn {
  /** The profile question id (the demographic's key in every export). */
  id: string;
  kind: "choice" | "country" | "language";
}

export interface Scope {
  studies: Study[];
  /** Normalised ISO lower bound on `completed_at`, or null. */
  since: string | null;
  /** Every profile question of the studies in scope, first study's order first. */
  profile: ProfileColumn[];
  /**
   * The profile question holding the declared native language, per study
   * (its first question of kind "language"); absent when it has none.
   */
  languageQuestion: Map<string, string>;
  /** Every prompt rating id of the studies in scope (CA-1's importance, …), first study's order first. */
  ratings: string[];
}

/** Accepts YYYY-MM-DD or a full ISO date-time; returns the ISO string compared against stored timestamps. */
export function normaliseSince(text: string): string {
  const trimmed = text.trim();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? new Date(`${trimmed}T00:00:00.000Z`) : new Date(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed) || Number.isNaN(date.getTime())) {
    throw new ResearchUsageError(`--since: expected a date such as 2026-03-01 or 2026-03-01T12:00:00Z, got "${text}"`);
  }
  return date.toISOString();
}

export function resolveScope(sqlite: SqliteConnection, options: ScopeOptions): Scope {
  const rows = readStoredStudies(sqlite);
  const selected = options.studyId ? rows.filter((row) => row.id === options.studyId) : rows;
  if (options.studyId && selected.length === 0) {
    const known = rows.map((row) => row.id).join(", ") || "none";
    throw new ResearchError(`No study with id "${options.studyId}" (studies: ${known})`);
  }
  const studies = selected.map((row) => studyOf(sqlite, row));
  const profile: ProfileColumn[] = [];
  const seen = new Set<string>();
  const languageQuestion = new Map<string, string>();
  const ratings = new Set<string>();
  for (const study of studies) {
    for (const rating of study.promptRatings) ratings.add(rating.id);
    for (const question of study.profile) {
      if (!seen.has(question.id)) profile.push({ id: question.id, kind: question.kind });
      seen.add(question.id);
    }
    const language = study.profile.find((question) => question.kind === "language");
    if (language) languageQuestion.set(study.id, language.id);
  }
  return {
    studies,
    since: options.since ? normaliseSince(options.since) : null,
    profile,
    languageQuestion,
    ratings: [...ratings],
  };
}
