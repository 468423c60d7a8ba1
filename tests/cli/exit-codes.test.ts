import { writeFileSync } from "node:fs";
import { join } from "node:path";
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
  expect(run.stderr.trim().split("\n").at(-1)).toMatch(line);
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
