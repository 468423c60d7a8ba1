import { z } from "zod";
import { ChorusError } from "./core/errors.js";
import { secretWeakness } from "./secrets.js";

/**
 * All configuration comes from the environment, validated once by this
 * schema at the entry point. `loadConfig` is pure: the caller passes the
 * environment, so tests never touch process.env.
 */

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();
const optionalUrl = optionalText.pipe(z.url().optional());
const port = z.coerce.number().int().min(1).max(65_535);
const positive = z.coerce.number().positive();
/** A secret of at least 16 characters, not a few characters repeated. */
const strongSecret = z.string().superRefine((secret, ctx) => {
  const weakness = secretWeakness(secret);
  if (weakness) ctx.addIssue({ code: "custom", message: weakness });
});

export const ConfigSchema = z
  .object({
    DATABASE_PATH: z.string().trim().min(1).default("data/chorus.db"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    DEFAULT_LOCALE: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "expected a locale code such as en")
      .default("en"),
    /** The study imported and published on first start when the database has none. */
    SAMPLE_STUDY_FILE: z.string().trim().min(1).default("studies/sample.yaml"),
    /** The terminal pilot's participant name (the same name resumes the same session). */
    CONSOLE_USER: optionalText,

    TELEGRAM_BOT_TOKEN: optionalText.pipe(
      z
        .string()
        .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "expected a token from @BotFather such as 123456:ABC-DEF…")
        .optional(),
    ),
    TELEGRAM_BOT_USERNAME: optionalText,
    TELEGRAM_API_ROOT: optionalUrl,
    TELEGRAM_WEBHOOK_URL: optionalUrl,
    TELEGRAM_WEBHOOK_PORT: port.default(8443),
    /** Interface the webhook server listens on (127.0.0.1 behind a reverse proxy). */
    TELEGRAM_WEBHOOK_HOST: z.string().trim().min(1).default("0.0.0.0"),
    TELEGRAM_WEBHOOK_SECRET: optionalText.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/, "expected 16–256 characters of A-Z a-z 0-9 _ -")
        .pipe(strongSecret)
        .optional(),
    ),

    SLACK_BOT_TOKEN: optionalText.pipe(
      z.string().startsWith("xoxb-", "expected a bot token starting with xoxb-").optional(),
    ),
    SLACK_APP_TOKEN: optionalText.pipe(
      z.string().startsWith("xapp-", "expected an app-level token starting with xapp-").optional(),
    ),
    SLACK_SIGNING_SECRET: optionalText.pipe(
      z.string().min(16, "expected the app's signing secret (32 characters, from Basic Information)").optional(),
    ),
    SLACK_MODE: z.enum(["socket", "http"]).default("socket"),
    SLACK_PORT: port.default(3000),
    /** Interface the HTTP receiver listens on (127.0.0.1 behind a reverse proxy). */
    SLACK_HOST: z.string().trim().min(1).default("0.0.0.0"),
    SLACK_API_URL: optionalUrl,

    /** Key for the HMAC that turns participant ids into export annotator ids. */
    EXPORT_SECRET: optionalText.pipe(strongSecret.optional()),

    /** Broadcast pacing (messages per second). */
    BROADCAST_TELEGRAM_RATE: positive.max(30).default(30),
    BROADCAST_TELEGRAM_PER_CHAT_RATE: positive.max(1).default(1),
    BROADCAST_SLACK_PER_CHANNEL_RATE: positive.max(1).default(1),
    /** Slack messages per second overall (chat.postMessage: a few hundred per minute per workspace). */
    BROADCAST_SLACK_RATE: positive.max(10).default(4),
    /** Slack conversations.open calls per minute (tier 3); results are cached per user. */
    BROADCAST_SLACK_OPENS_PER_MINUTE: positive.max(600).default(50),
    /** Sends of one delivery failing with a network error or 5xx before it is marked failed. */
    BROADCAST_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    /**
     * Messages awaiting the platform's answer at once. 1 keeps the crash ambiguity
     * window to one message; raise it only when round trips keep the rate below the cap.
     */
    BROADCAST_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(30).default(1),
    /** How often a running `npm start` looks for broadcasts to send (seconds). */
    BROADCAST_POLL_SECONDS: positive.max(3600).default(5),
  })
  .superRefine((env, ctx) => {
    if (env.TELEGRAM_WEBHOOK_URL && !env.TELEGRAM_WEBHOOK_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: ["TELEGRAM_WEBHOOK_SECRET"],
        message: "required when TELEGRAM_WEBHOOK_URL is set",
      });
    }
    if (env.SLACK_BOT_TOKEN && env.SLACK_MODE === "socket" && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({
        code: "custom",
        path: ["SLACK_APP_TOKEN"],
        message: "required for Socket Mode (or set SLACK_MODE=http)",
      });
    }
    if (env.SLACK_BOT_TOKEN && env.SLACK_MODE === "http" && !env.SLACK_SIGNING_SECRET) {
      ctx.addIssue({ code: "custom", path: ["SLACK_SIGNING_SECRET"], message: "required when SLACK_MODE=http" });
    }
  });

export type Config = z.infer<typeof ConfigSchema>;

/** A configuration problem: `message` is one line naming the variable and what is wrong. */
export class ConfigError extends ChorusError {
  override readonly name = "ConfigError";
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = issue?.path.join(".") || "environment";
  throw new ConfigError(`Config error: ${variable}: ${issue?.message ?? "invalid"}`);
}
