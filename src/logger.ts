import { type Logger, pino } from "pino";

export type { Logger };

/**
 * The one logger. Participant data never goes in: log ids (participant id,
 * update/event id), never message text, names or platform profiles.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { app: "chorus" } }, destination ?? process.stderr);
}
