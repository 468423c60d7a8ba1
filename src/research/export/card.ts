import { LABELS, type Label } from "../../core/labels.js";
import { rankedWithoutOpeningAll } from "../analysis/quality.js";

/**
 * What the survey card recorded about reading, as the exports write it:
 * the layout ("all": the four responses on the card together, "paged": one
 * open at a time), how many times each response (canonical label) was shown
 * before the first ranking was confirmed, and the quality flag derived from
 * them. All null on assessments recorded before cards.
 */

/** The flat table's opens columns: opens_a … opens_d. */
export const OPENS_COLUMNS = LABELS.map((label) => `opens_${label.toLowerCase()}`);
export const CARD_COLUMNS = ["layout", ...OPENS_COLUMNS, "ranked_without_opening_all"];

interface CardFields {
  layout: string | null;
  /** Opens per canonical label, or null when the assessment has none recorded. */
  opens: Record<Label, number | null> | null;
  ranked_without_opening_all: boolean | null;
}

const NOT_RECORDED: readonly null[] = LABELS.map(() => null);

/**
 * The counts of A, B, C and D from the stored JSON object (null each when
 * not recorded). Parsed here rather than by SQLite's json_extract, four
 * calls of which per row made the CSV export a fifth slower.
 */
export function opensCounts(stored: unknown): readonly unknown[] {
  if (typeof stored !== "string") return NOT_RECORDED;
  const opens = JSON.parse(stored) as Record<string, unknown>;
  return LABELS.map((label) => opens[label] ?? null);
}

/** `opens` holds the counts of A, B, C and D in that order (null when not recorded). */
export function cardFields(layout: unknown, opens: readonly unknown[]): CardFields {
  const recorded = opens.some((count) => count !== null && count !== undefined);
  return {
    layout: typeof layout === "string" ? layout : null,
    opens: recorded
      ? (Object.fromEntries(LABELS.map((label, i) => [label, (opens[i] as number | null) ?? null])) as Record<
          Label,
          number | null
        >)
      : null,
    ranked_without_opening_all: rankedWithoutOpeningAll(layout, opens),
  };
}

/** The CARD_COLUMNS cells of the flat table. */
export function cardCells(layout: unknown, opens: readonly unknown[]): unknown[] {
  return [
    typeof layout === "string" ? layout : null,
    ...LABELS.map((_, i) => opens[i] ?? null),
    rankedWithoutOpeningAll(layout, opens),
  ];
}
