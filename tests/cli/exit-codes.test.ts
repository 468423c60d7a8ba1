import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runChorusInProcess } from "../helpers/cli.js";
import { createTestDatabase, seedMiniStudy, type TestDatabase } from "../helpers/db.js";

/**
 * Exit codes as README.md says (0 done, 1 failed, 2 bad usage or input),
 * each with one line on stderr, and output paths that cannot be made fail at
 * once instead of hanging (Node 20's recursive mkdir never returns under /proc).
 */

let db: TestDatabase;
let env: Record<string, string>;
beforeEach(() => {
  db = createTestDatabase();
  seedMiniStudy(db);
  env = { DATABASE_PATH: db.path, EXPORT_SECRET: "a-secret-of-sixteen-chars", LOG_LEVEL: "silent" };
});
afterEach(() => db.cleanup());

/** A YAML "billion laughs": nine aliases of nine aliases of … of a short list. */
const ALIAS_BOMB = [
  'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
  ..."bcdefg".split("").map((name, i) => `${name}: &${name} [${Array(9).fill(`*${"abcdefg"[i]}`).join(", ")}]`),
].join("\n");

async function expectExit(args: string[], code: number, line: RegExp): Promise<void> {
  const run = await runChorusInProcess(args, env);
  expect(run.code, `${args.join(" ")}\n${run.stderr}`).toBe(code);
  expect(run.stderr.trim().split("\n").at(-1) ?? "").toMatch(line);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("exit 2: bad usage or input", () => {
  it("a --since that is no date, for export and analyze", async () => {
    await expectExit(["export", "--format", "csv", "--out", join(db.dir, "x.csv"), "--since", "soon"], 2, /--since/);
    await expectExit(["analyze", "--since", "yesterday"], 2, /--since: expected a date/);
  });

  it("a --by that is no field of the study", async () => {
    await expectExit(["analyze", "--by", "shoe_size"], 2, /--by shoe_size: not a profile question/);
  });

  it("a file that is not there", async () => {
    const missing = join(db.dir, "missing");
    await expectExit(["study", "import", `${missing}.yaml`], 2, /nothing written/);
    await expectExit(["scenario", "add", `${missing}.yaml`, "--study", "mini"], 2, /nothing added/);
    await expectExit(["reference", "import", `${missing}.jsonl`], 2, /missing\.jsonl: cannot read: ENOENT/);
    await expectExit(
      ["broadcast", "create", "--study", "mini", "--text-file", `${missing}.txt`],
      2,
      /missing\.txt: cannot read: ENOENT/,
    );
  });

  it("a YAML alias bomb, wherever YAML is read", async () => {
    const bomb = join(db.dir, "bomb.yaml");
    writeFileSync(bomb, ALIAS_BOMB);
    const refused = /bomb\.yaml: (its aliases expand too far \(more than 100 uses\): refused|invalid .*)$/;
    await expectExit(["study", "validate", bomb], 2, refused);
    await expectExit(["scenario", "add", bomb, "--study", "mini"], 2, refused);
    await expectExit(["broadcast", "create", "--study", "mini", "--text-file", bomb], 2, refused);
    const validate = await runChorusInProcess(["study", "validate", bomb], env);
    expect(validate.stderr).toContain("its aliases expand too far");
  });

  it("a malformed PLATFORM:USER or role, a backup that is not there", async () => {
    await expectExit(["staff", "add", "fax:1", "--role", "admin"], 2, /unknown platform "fax"/);
    await expectExit(["staff", "add", "telegram:1", "--role", "boss"], 2, /unknown role "boss"/);
    await expectExit(["restore", join(db.dir, "missing.db")], 2, /missing\.db: no such file$/);
  });
});

describe("exit 1: refused or impossible, one line", () => {
  it("a bad configuration, a database that cannot be opened", async () => {
    env.LOG_LEVEL = "loud";
    await expectExit(["study", "list"], 1, /^Config error: LOG_LEVEL/);
    env.LOG_LEVEL = "silent";
    env.DATABASE_PATH = "/proc/chorus-nope/chorus.db";
    await expectExit(["study", "list"], 1, /^Cannot open database \/proc\/chorus-nope\/chorus\.db: /);
    await expectExit(["study", "close", "mini"], 1, /^Cannot open database \/proc\/chorus-nope\/chorus\.db: /);
  });

  it("an unknown study or broadcast, wherever it is named", async () => {
    await expectExit(["study", "publish", "nope"], 1, /No study with id "nope"/);
    await expectExit(["stats", "--study", "nope"], 1, /No study with id "nope"/);
    await expectExit(["export", "--format", "csv", "--out", join(db.dir, "x.csv"), "--study", "nope"], 1, /"nope"/);
    await expectExit(["broadcast", "cancel", "999"], 1, /999/);
  });

  it("a database another process keeps locked past the busy timeout", async () => {
    const holder = new Database(db.path);
    holder.exec("BEGIN IMMEDIATE");
    try {
      await expectExit(["study", "close", "mini"], 1, /^The database is locked by another process/);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    // Nothing was changed meanwhile, and the command works once the lock is gone.
    await expectExit(["study", "close", "mini"], 0, /^$/);
  });
});

describe("exit 1 at once: an output path that cannot be written", () => {
  it("export --out and analyze --html under /proc, or under a file", async () => {
    await expectExit(["export", "--format", "csv", "--out", "/proc/chorus-nope/x.csv"], 1, /^Cannot write to \/proc/);
    await expectExit(["export", "--format", "hf", "--out", "/proc/chorus-nope/hf"], 1, /^Cannot write to \/proc/);
    await expectExit(["analyze", "--html", "/proc/chorus-nope/report.html"], 1, /^Cannot write to \/proc/);
    const file = join(db.dir, "a-file");
    writeFileSync(file, "x");
    await expectExit(["export", "--format", "csv", "--out", join(file, "x.csv")], 1, /a-file is not a folder$/);
    await expectExit(["export", "--format", "ca1", "--out", file], 1, /a-file: not a folder$/);
  });
});
