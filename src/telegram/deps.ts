import type { ParticipantStatus } from "../core/flow/effects.js";
import type { Text } from "../core/flow/prompts.js";
import type { InputBatcher } from "../core/input-batcher.js";
import type { I18n } from "../i18n/index.js";
import type { StaffChat } from "../staff/chat.js";
import type { LocaleMemory } from "./locale.js";
import type { MessageMemory } from "./message-memory.js";

/** Participant counts for staff. */
export interface SurveyStats {
  studies: { studyId: string; byStatus: Partial<Record<ParticipantStatus, number>>; assessments: number }[];
}

/** The store operations the Telegram adapter needs besides the engine. */
export interface TelegramStore {
  /** The participant blocked the bot or deleted their account. */
  markUnreachable(platformUserId: string, at: string): void;
  /** The participant unblocked the bot: back to their status, if they were unreachable. */
  markReachable(platformUserId: string, at: string): void;
  /** Whether this Telegram user is staff (any role). */
  isStaff(platformUserId: string): boolean;
  stats(): SurveyStats;
}

/** What every feature gets: built once per bot in bot.ts. */
export interface FeatureDeps {
  /** The engine with group commit: inputs of concurrent updates share one transaction (survey feature). */
  inputs: InputBatcher;
  i18n: I18n;
  /** i18n.render with a cache (text-cache.ts): use it for everything shown. */
  render: (locale: string, text: Text) => string;
  store: TelegramStore;
  memory: MessageMemory;
  locales: LocaleMemory;
  now: () => Date;
  /** Staff commands in chat (stats, broadcast), audited; see src/staff/chat.ts. */
  staffChat?: StaffChat;
}
