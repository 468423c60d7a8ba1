import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigSchema, loadConfig } from "../src/config.js";

const text = readFileSync(new URL("../.env.example", import.meta.url), "utf8");
const lines = text.split("\n");
const assignments = lines.filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line));
const documented = new Map(
  assignments.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
);

describe(".env.example", () => {
  it("documents every configuration variable, each with a comment above it", () => {
    const variables = Object.keys(ConfigSchema.shape);
    expect(variables.filter((name) => !documented.has(name))).toEqual([]);
    for (const name of variables) {
      const index = lines.findIndex((line) => line.startsWith(`${name}=`));
      expect(lines[index - 1], name).toMatch(/^# /);
    }
    // And nothing that the schema does not know (a stale or misspelled name).
    expect([...documented.keys()].filter((name) => !variables.includes(name))).toEqual([]);
  });

  it("is itself a valid configuration (copying it to .env starts the terminal pilot)", () => {
    const config = loadConfig(Object.fromEntries(documented));
    expect(config.DATABASE_PATH).toBe("data/chorus.db");
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(config.SLACK_BOT_TOKEN).toBeUndefined();
  });
});
