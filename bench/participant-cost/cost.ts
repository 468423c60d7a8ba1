/**
 * What one participant's way through a study costs them, per scenario, in a
 * form every platform's half of bench/participant-cost.bench.ts fills in.
 */

export interface Cost {
  /** Button presses (callback queries on Telegram, block actions on Slack). */
  taps: number;
  /** New messages the bot posted. */
  newMessages: number;
  /** Messages the bot edited in place. */
  edits: number;
}

export interface ScenarioCost extends Cost {
  /** 1-based position in the participant's list. */
  position: number;
  form: "long" | "short";
  /** "all": the four responses on the card at once; "paged": one at a time. */
  layout: "all" | "paged";
}

export interface CostRun {
  platform: string;
  /** What was run, e.g. "sample study". */
  label: string;
  onboarding: Cost;
  scenarios: ScenarioCost[];
}

/** The most a scenario may cost a participant, by form. */
const TARGETS: Record<ScenarioCost["form"], Pick<Cost, "taps" | "newMessages">> = {
  short: { taps: 6, newMessages: 3 },
  long: { taps: 12, newMessages: 5 },
};

export function emptyCost(): Cost {
  return { taps: 0, newMessages: 0, edits: 0 };
}

export function meetsTarget(scenario: ScenarioCost): boolean {
  const target = TARGETS[scenario.form];
  return scenario.taps <= target.taps && scenario.newMessages <= target.newMessages;
}

/** A Markdown table of one run (the form bench/README.md records). */
export function costTable(run: CostRun): string {
  const rows = [
    `${run.platform}, ${run.label}`,
    "",
    "| scenario | form | layout | taps | new bot messages | edits | target (taps / messages) |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    `| onboarding | – | – | ${run.onboarding.taps} | ${run.onboarding.newMessages} | ${run.onboarding.edits} | – |`,
    ...run.scenarios.map((scenario) => {
      const target = TARGETS[scenario.form];
      const verdict = meetsTarget(scenario) ? "met" : "**missed**";
      return `| ${scenario.position} | ${scenario.form} | ${scenario.layout} | ${scenario.taps} | ${scenario.newMessages} | ${scenario.edits} | ≤ ${target.taps} / ≤ ${target.newMessages}: ${verdict} |`;
    }),
  ];
  return rows.join("\n");
}
