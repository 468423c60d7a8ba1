import type { Quota } from "./schema.js";

/** The value a quota cell uses for "prefer not to say". */
export const UNDISCLOSED = "undisclosed";

/** The participant's cell: one value per quota dimension. */
export function quotaCell(quota: Quota, profile: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(quota.dimensions.map((dimension) => [dimension, profile[dimension] ?? UNDISCLOSED]));
}

/** The target for a cell: the first listed cell whose `match` it satisfies, else the default (undefined: no limit). */
export function quotaTarget(quota: Quota, cell: Record<string, string>): number | undefined {
  const listed = quota.cells.find((entry) =>
    Object.entries(entry.match).every(([dimension, value]) => cell[dimension] === value),
  );
  return listed ? listed.target : quota.defaultTarget;
}
