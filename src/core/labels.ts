/**
 * Canonical response labels, as in the public collective-alignment dataset.
 * A scenario always has exactly four candidate responses, labelled A–D.
 */
export const LABELS = ["A", "B", "C", "D"] as const;
export type Label = (typeof LABELS)[number];

export function isLabel(value: string): value is Label {
  return (LABELS as readonly string[]).includes(value);
}

/**
 * The order in which the four responses were shown, as canonical labels,
 * e.g. "CADB": the first response shown was C, the second A, and so on.
 * The participant sees display letters A–D in that order, so display
 * letter "A" means canonical label shownOrder[0].
 */
export type ShownOrder = string;

export function isShownOrder(value: string): boolean {
  return value.length === 4 && [...value].sort().join("") === "ABCD";
}

export function displayToCanonical(shownOrder: ShownOrder, display: Label): Label {
  const label = shownOrder[LABELS.indexOf(display)];
  if (label === undefined || !isLabel(label)) throw new Error(`bad shown order ${shownOrder}`);
  return label;
}

export function canonicalToDisplay(shownOrder: ShownOrder, canonical: Label): Label {
  const index = shownOrder.indexOf(canonical);
  const display = LABELS[index];
  if (display === undefined) throw new Error(`bad shown order ${shownOrder}`);
  return display;
}

/** Fisher–Yates shuffle of A–D with an injected random source (0 ≤ r < 1). */
export function shuffleLabels(random: () => number): ShownOrder {
  const labels: Label[] = [...LABELS];
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [labels[i], labels[j]] = [labels[j] as Label, labels[i] as Label];
  }
  return labels.join("");
}
