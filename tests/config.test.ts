import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";

const attempt = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return "ok";
  } catch (error) {
    return (error as Error).message;
  }
};

describe("secrets in the configuration", () => {
  it("EXPORT_SECRET: refused when short or a few characters repeated, with one line naming it", () => {
    expect(attempt({ EXPORT_SECRET: "short" })).toBe("Config error: EXPORT_SECRET: expected at least 16 characters");
    for (const weak of ["aaaaaaaaaaaaaaaaaaaa", "abababababababababab", "abcdefgabcdefgabcdefg"]) {
      expect(attempt({ EXPORT_SECRET: weak }), weak).toMatch(
        /^Config error: EXPORT_SECRET: too weak: it repeats a few characters; use at least 8 different ones/,
      );
    }
    expect(attempt({ EXPORT_SECRET: "abcdefghabcdefgh" })).toBe("ok"); // 8 different characters
    expect(attempt({ EXPORT_SECRET: "5f0c6a3e9b1d47e28c" })).toBe("ok");
  });

  it("TELEGRAM_WEBHOOK_SECRET: at least 16 characters of Telegram's alphabet, not a repeated few", () => {
    const webhook = { TELEGRAM_WEBHOOK_URL: "https://bot.example.org/hook" };
    expect(attempt({ ...webhook, TELEGRAM_WEBHOOK_SECRET: "s3cret" })).toBe(
      "Config error: TELEGRAM_WEBHOOK_SECRET: expected at least 16 characters",
    );
    expect(attempt({ ...webhook, TELEGRAM_WEBHOOK_SECRET: "xxxxxxxxxxxxxxxxxxxx" })).toMatch(/too weak/);
    expect(attempt({ ...webhook, TELEGRAM_WEBHOOK_SECRET: "not allowed: spaces!" })).toMatch(
      /expected 16–256 characters of A-Z a-z 0-9 _ -/,
    );
    expect(attempt({ ...webhook, TELEGRAM_WEBHOOK_SECRET: "Webhook_secret-2026" })).toBe("ok");
  });

  it("SLACK_SIGNING_SECRET: a real signing secret's length", () => {
    expect(attempt({ SLACK_SIGNING_SECRET: "abc" })).toMatch(/^Config error: SLACK_SIGNING_SECRET: expected the app's/);
    expect(attempt({ SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5" })).toBe("ok");
  });
});
