import { FLOW_STATE_VERSION } from "./state.js";

/**
 * Stored flow states from older releases, brought up to FLOW_STATE_VERSION
 * one version at a time, so a participant mid-survey during an upgrade goes
 * on where they were. Each step takes the previous version's document as
 * stored (JSON) and returns the next version's; the result is validated by
 * FlowStateSchema afterwards.
 */
type Migration = (state: Record<string, unknown>) => Record<string, unknown>;

const MIGRATIONS: Record<number, Migration> = {
  /**
   * 1 → 2: the response viewer and the ranking became one card. The reading
   * stage is gone (ranking is open from the start); which responses were seen
   * becomes a count per response; the card shows one response at a time, as
   * the viewer did, until the next scenario.
   */
  1: (state) => {
    const task = state.task as Record<string, unknown> | undefined;
    if (!task) return { ...state, schemaVersion: 2 };
    const seen = Array.isArray(task.seen) ? (task.seen as number[]) : [];
    const { viewing, seen: _seen, ...rest } = task;
    const stage = task.stage === "reading" ? "ranking" : task.stage;
    return {
      ...state,
      schemaVersion: 2,
      task: {
        ...rest,
        stage,
        picks: task.stage === "reading" ? [] : task.picks,
        layout: "paged",
        open: typeof viewing === "number" ? viewing : 0,
        opens: [0, 1, 2, 3].map((index) => (seen.includes(index) ? 1 : 0)),
      },
    };
  },
};

/** The stored document migrated to the current version (unchanged if it already is, or is not a state). */
export function migrateFlowState(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null) return raw;
  let state = raw as Record<string, unknown>;
  let version = state.schemaVersion;
  while (typeof version === "number" && version < FLOW_STATE_VERSION) {
    const migrate = MIGRATIONS[version];
    if (!migrate) break;
    state = migrate(state);
    version = state.schemaVersion;
  }
  return state;
}
