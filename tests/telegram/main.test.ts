import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createTestDatabase, seedMiniStudy } from "../helpers/db.js";
import { startFakeTelegramServer } from "../helpers/fake-telegram-server.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("npm start with TELEGRAM_BOT_TOKEN", () => {
  it("runs the bot against TELEGRAM_API_ROOT and stops gracefully on SIGTERM", async () => {
    const db = createTestDatabase();
    seedMiniStudy(db);
    db.close();
    const server = await startFakeTelegramServer();
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        DATABASE_PATH: db.path,
        TELEGRAM_BOT_TOKEN: server.token,
        TELEGRAM_API_ROOT: server.apiRoot,
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
      const user = { id: 9001, firstName: "Max", languageCode: "en" };
      server.userMessage(user, "/start from_main");
      const deadline = Date.now() + 20_000;
      while (!server.chat(user.id).some((message) => message.from === "bot") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(server.chat(user.id).find((message) => message.from === "bot")?.text).toContain("Mini test study");
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(output).toContain('"msg":"telegram bot started"');
      expect(output).toContain("shutting down");
      expect(server.commands.has("")).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await server.close();
      db.cleanup();
    }
  }, 40_000);
});
