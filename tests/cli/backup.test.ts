import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runChorus } from "../helpers/cli.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";
import { seedParticipants } from "../helpers/participants.js";

const WRITER = fileURLToPath(new URL("../helpers/db-writer.ts", import.meta.url));

let db: TestDatabase;
beforeEach(() => {
  db = createTestDatabase();
  seedMiniStudy(db);
  // Enough pages that the copy takes several steps, so the writer lands between them.
  seedParticipants(
    db.sqlite,
    "mini",
    Array.from({ length: 6000 }, (_, i) => ({
      platform: "telegram" as const,
      userId: String(10_000 + i),
      country: "US",
    })),
  );
});
afterEach(() => db.cleanup());

describe("chorus backup while another process writes", () => {
  it("produces a consistent, checked copy; the live database loses nothing", async () => {
    const writer = spawn(process.execPath, ["--import", "tsx", WRITER, db.path, "mini"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => writer.on("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        writer.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("writing")) resolve();
        });
        writer.on("exit", () => reject(new Error("writer exited early")));
      });
      const count = () => (db.sqlite.prepare("SELECT count(*) AS n FROM participants").get() as { n: number }).n;
      const before = count();
      const file = join(db.dir, "backup.db");
      const result = await runChorus(["backup", file, "--json"], { DATABASE_PATH: db.path, LOG_LEVEL: "silent" });
      expect(result.code, result.stderr).toBe(0);
      const during = count();
      expect(during).toBeGreaterThan(before); // the writer really wrote while the backup ran
      const report = JSON.parse(result.stdout) as {
        pages: number;
        integrity: string;
        foreignKeyViolations: number;
        rows: Record<string, number>;
      };
      // More pages than one backup step: the writer lands between steps (SQLite restarts the copy,
      // which then finishes in one step; report.restarts counts it).
      expect(report.pages).toBeGreaterThan(1024);
      expect(report.integrity).toBe("ok");
      expect(report.foreignKeyViolations).toBe(0);

      const copy = new Database(file, { readonly: true, fileMustExist: true });
      try {
        expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
        expect(copy.pragma("journal_mode", { simple: true })).toBe("delete");
        const copied = (copy.prepare("SELECT count(*) AS n FROM participants").get() as { n: number }).n;
        expect(copied).toBeGreaterThanOrEqual(before);
        expect(copied).toBeLessThanOrEqual(count());
        expect(report.rows.participants).toBe(copied);
        // Every writer transaction is in the copy whole or not at all.
        const torn = copy
          .prepare(
            `SELECT count(*) AS n FROM participants p
             WHERE p.id LIKE 'writer-%' AND (NOT EXISTS (SELECT 1 FROM flow_states f WHERE f.participant_id = p.id)
               OR NOT EXISTS (SELECT 1 FROM profile_answers a WHERE a.participant_id = p.id))`,
          )
          .get() as { n: number };
        expect(torn.n).toBe(0);
        expect((copy.prepare("SELECT count(*) AS n FROM studies").get() as { n: number }).n).toBe(1);
      } finally {
        copy.close();
      }
    } finally {
      writer.kill("SIGKILL");
      await exited;
    }
    // The live database is intact after the writer's kill.
    expect(db.sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    const audit = db.sqlite.prepare("SELECT actor, origin FROM audit_log WHERE action = 'backup'").all();
    expect(audit).toEqual([{ actor: expect.stringMatching(/^cli:/), origin: "cli" }]);
  }, 60_000);
});
