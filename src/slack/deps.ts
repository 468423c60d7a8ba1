import type { Logger } from "pino";
import type { Engine } from "../core/engine-types.js";
import type { ParticipantStatus } from "../core/flow/effects.js";
import type { SurveyStore } from "../core/ports.js";
import type { I18n } from "../i18n/index.js";
import type { StaffChat } from "../staff/chat.js";
import type { Conversations } from "./conversation.js";

/** Per-study counts a staff member sees with `/chorus stats`. */
export interface StudySummary {
  studyId: string;
  byStatus: Partial<Record<ParticipantStatus, number>>;
  assessments: number;
}

/** Who may see stats, and the figures. Over the shared store: see ./store.ts. */
export interface StaffPort {
  /** Whether this Slack user is staff allowed to see stats (staff table, platform "slack"). */
  canSeeStats(userId: string): boolean;
  stats(): StudySummary[];
}

/** What every Slack listener needs; built once in createSlackApp. */
export interface SlackDeps {
  engine: Engine;
  i18n: I18n;
  logger: Logger;
  /** Read-only: whether someone is already a participant, and their locale. */
  participants: Pick<SurveyStore, "findParticipant">;
  staff?: StaffPort;
  /** Staff commands in chat (`/chorus stats`, `/chorus broadcast`), audited; see src/staff/chat.ts. */
  staffChat?: StaffChat;
}

/** What listeners receive: the adapter's dependencies and its conversation service. */
export interface ListenerDeps extends SlackDeps {
  conversations: Conversations;
}
