import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createTestDatabase, seedMiniStudy } from "../helpers/db.js";
import { startFakeSlackServer } from "../helpers/fake-slack-server.js";
import { freePort } from "../helpers/output.js";
import { SIGNING_SECRET, signSlackRequest } from "../helpers/slack-harness.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("npm start with SLACK_BOT_TOKEN", () => {
  it("runs the Slack app in HTTP mode against SLACK_API_URL and stops gracefully on SIGTERM", async () => {
    const db = createTestDatabase();
    seedMiniStudy(db);
    db.close();
    const fake = await startFakeSlackServer();
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        DATABASE_PATH: db.path,
        SLACK_BOT_TOKEN: "xoxb-main-test",
        SLACK_MODE: "http",
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_PORT: String(port),
        SLACK_HOST: "127.0.0.1",
        SLACK_API_URL: fake.apiUrl,
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += String(chunk);
    });
    child.stderr.on("data", (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      await until(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.status === 200);
      const body = JSON.stringify({
        type: "event_callback",
        team_id: "T0CHORUS",
        api_app_id: "A0CHORUS",
        event_id: "Ev0MAIN",
        event_time: 1,
        event: { type: "message", channel: "D0MAIN", channel_type: "im", user: "U0MAIN", text: "hello", ts: "1.1" },
      });
      const response = await fetch(`${base}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/json", ...signSlackRequest(SIGNING_SECRET, body) },
        body,
      });
      expect(response.status).toBe(200);
      await until(() => fake.messagesIn("D0MAIN").length > 0);
      expect(JSON.stringify(fake.messagesIn("D0MAIN")[0]?.blocks)).toContain("To take part in the survey");
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output).toContain('"msg":"slack app running"');
      expect(output).toContain("shutting down");
      expect(output).not.toContain("hello");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await fake.close();
      db.cleanup();
    }
  }, 40_000);
});
