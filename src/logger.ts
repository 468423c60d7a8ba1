import { type Logger, pino } from "pino";

export type { Logger };

/**
 * Fields that would carry a platform's user id: dropped from every line even
 * if a call site passes one, so logs hold random participant ids only.
 */
const REDACTED_FIELDS = ["userId", "user_id", "platformUserId", "chatId", "chat_id"];

/**
 * The one logger. Participant data never goes in: log ids (participant id,
 * update/event id), never message text, names, platform user ids or profiles.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { app: "chorus" }, redact: { paths: REDACTED_FIELDS, remove: true } },
    destination ?? process.stderr,
  );
}
