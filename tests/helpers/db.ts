import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Study } from "../../src/core/study/schema.js";
import { type OpenedDatabase, openDatabase } from "../../src/store/client.js";
import { importStudy, publishStudy } from "../../src/store/study-repository.js";
import { loadStudyFile } from "../../src/studies/load.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export interface TestDatabase extends OpenedDatabase {
  /** The temporary folder holding the database file (and anything else the test writes). */
  dir: string;
  path: string;
  /** Closes the connection and removes the folder. */
  cleanup(): void;
}

/** A fresh database file in its own temp folder, with the real migrations applied. */
export function createTestDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), "chorus-test-"));
  const path = join(dir, "chorus.db");
  const opened = openDatabase(path);
  return {
    ...opened,
    dir,
    path,
    cleanup() {
      opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** tests/fixtures/mini-study.yaml, validated: three scenarios, a screening and two profile questions. */
export function loadMiniStudy(): Study {
  const result = loadStudyFile(join(FIXTURES, "mini-study.yaml"));
  if (!result.ok) throw new Error(`mini-study fixture is invalid:\n${result.problems.join("\n")}`);
  return result.study;
}

/** Imports and publishes the mini study; returns it. */
export function seedMiniStudy(database: OpenedDatabase, at = "2026-01-01T00:00:00.000Z"): Study {
  const study = loadMiniStudy();
  importStudy(database.db, study, { at });
  publishStudy(database.db, study.id, at);
  return study;
}
