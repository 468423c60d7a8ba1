import { GrammyError, HttpError } from "grammy";
import { ChorusError } from "../core/errors.js";

/**
 * Telegram errors the adapter treats specially, recognised by their stable
 * `error_code` and description. Everything else goes to the error boundary.
 */

/** Telegram refused a call the bot needs to start (a wrong token, a webhook URL it will not take). */
export class TelegramStartError extends ChorusError {
  override readonly name = "TelegramStartError";
  constructor(
    readonly method: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Telegram refused ${method}: ${detail}${method === "getMe" ? " (check TELEGRAM_BOT_TOKEN)" : method === "setWebhook" ? " (check TELEGRAM_WEBHOOK_URL)" : ""}`,
      options,
    );
  }
}

/** 403: the participant blocked the bot or deleted their account; they are unreachable. */
export function isUnreachable(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 403 &&
    /blocked|deactivated|kicked|not a member|can't initiate/i.test(error.description)
  );
}

/** An edit that would change nothing (a page button pressed twice): harmless. */
export function isNotModified(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 400 && /message is not modified/i.test(error.description);
}

/** The message to edit is gone or too old to edit: send a new one instead. */
export function isUneditable(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /message to edit not found|message can't be edited|MESSAGE_ID_INVALID/i.test(error.description)
  );
}

/** The callback query was already answered or timed out (a redelivered or slow press): harmless. */
export function isExpiredCallback(error: unknown): boolean {
  return (
    error instanceof GrammyError &&
    error.error_code === 400 &&
    /query is too old|query ID is invalid/i.test(error.description)
  );
}

/**
 * An error as log fields: ids and codes only. GrammyError carries the request
 * payload (participant and AI text), so it is never logged whole.
 */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof GrammyError) {
    return { kind: "telegram", method: error.method, code: error.error_code, description: error.description };
  }
  if (error instanceof HttpError) return { kind: "network", message: error.message };
  if (error instanceof Error) {
    return {
      kind: error.name,
      ...("code" in error ? { code: (error as { code: unknown }).code } : {}),
      message: error.message.split("\n")[0],
      stack: error.stack,
    };
  }
  return { kind: typeof error };
}
