import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

interface PilotRun extends SpawnSyncReturns<string> {
  dbPath: string;
}

/** A fresh temporary folder for a pilot run's database; the caller removes it. */
export function pilotDir(): string {
  return mkdtempSync(path.join(tmpdir(), "chorus-pilot-"));
}

/**
 * `npm start`'s entry point (src/main.ts) with the lines piped to its
 * standard input, only the given environment plus PATH and HOME, and the
 * database at `dbPath`.
 */
export function runPilotProcess(lines: string[], dbPath: string, env: Record<string, string> = {}): PilotRun {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    input: `${lines.join("\n")}\n`,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_PATH: dbPath, ...env },
    timeout: 90_000,
  });
  return { ...result, dbPath };
}
