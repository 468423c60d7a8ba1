import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/client.js";
import { runChorus, runChorusInProcess } from "../helpers/cli.js";
import { FIXTURES } from "../helpers/db.js";

const MINI = join(FIXTURES, "mini-study.yaml");
const BAD = join(FIXTURES, "studies/bad-study.yaml");

describe("chorus study", () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "chorus-cli-"));
    env = { DATABASE_PATH: join(dir, "data", "chorus.db") };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("validate: exit 0 for a valid file, 2 with every problem for an invalid one, no database touched", async () => {
    const ok = await runChorus(["study", "validate", MINI], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid — study "mini" v1: 3 scenarios, 2 profile questions, 1 screening question');

    const bad = await runChorus(["study", "validate", BAD], env);
    expect(bad.code).toBe(2);
    const lines = bad.stderr.trim().split("\n");
    expect(lines).toContain(`${BAD}: scenarios[3].responses: expected 4 items, got 3`);
    expect(lines).toContain(`${BAD}: scenarios[1].id: duplicate scenario id "ok-one"`);
    expect(lines.at(-1)).toBe(`${BAD}: invalid (11 problems); nothing written`);
    expect(bad.stdout).toBe("");
  }, 120_000);

  it("import, list, publish, close: exit codes, output and rows", async () => {
    const bad = await runChorus(["study", "import", BAD], env);
    expect(bad.code).toBe(2);

    const imported = await runChorus(["study", "import", MINI], env);
    expect(imported.stderr).toBe("");
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`Imported study "mini" v1 from ${MINI} as a draft`);
    expect(imported.stdout).toContain("chorus study publish mini");

    const again = await runChorusInProcess(["study", "import", MINI], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already imported with this content; nothing changed");

    // Same id and version, different content: refused (exit 1) unless --replace.
    const changed = join(dir, "changed.yaml");
    writeFileSync(changed, readFileSync(MINI, "utf8").replace("completionCode: MINI-2026", "completionCode: OTHER"));
    const refused = await runChorusInProcess(["study", "import", changed], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'Study "mini" version 1 is already imported with different content; raise "version" in the file, or use --replace',
    );
    const replaced = await runChorusInProcess(["study", "import", changed, "--replace", "--json"], env);
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ action: "replaced", id: "mini", version: 1, published: false });

    const published = await runChorusInProcess(["study", "publish", "mini"], env);
    expect(published.code).toBe(0);
    expect(published.stdout.trim()).toBe('Published study "mini" v1: new participants join it.');
    const unknown = await runChorusInProcess(["study", "close", "nope"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('No study with id "nope" (see: chorus study list)');

    const list = await runChorusInProcess(["study", "list", "--json"], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ id: "mini", version: 1, status: "published", scenarios: 3, participants: 0 }),
    ]);
    const table = await runChorusInProcess(["study", "list"], env);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+VERSION\s+STATUS\s+SCENARIOS/);
    expect(table.stdout).toMatch(/^mini\s+1\s+published\s+3\s/m);

    const database = openDatabase(env.DATABASE_PATH as string);
    try {
      const audit = database.sqlite.prepare("SELECT action, origin FROM audit_log ORDER BY id").all();
      expect(audit).toEqual([
        { action: "study.import", origin: "cli" },
        { action: "study.import", origin: "cli" },
        { action: "study.publish", origin: "cli" },
      ]);
      expect(
        database.sqlite.prepare("SELECT json_extract(definition, '$.completionCode') FROM studies").pluck().get(),
      ).toBe("OTHER");
    } finally {
      database.close();
    }
  }, 120_000);

  it("bad usage exits 2; help exits 0 and documents the exit codes", async () => {
    const unknown = await runChorusInProcess(["study", "frobnicate"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const missing = await runChorusInProcess(["study", "import"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'file'");
    const help = await runChorusInProcess(["--help"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Exit codes:");
    expect(help.stdout).toMatch(/2 {2}usage or invalid input/);
  });

  it("an unwritable database path or a bad config value: one line, exit 1", async () => {
    const unwritable = await runChorus(["study", "list"], { DATABASE_PATH: "/proc/chorus-cli/chorus.db" });
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^Cannot open database \/proc\/chorus-cli\/chorus\.db: [^\n]+\n$/);
    const badConfig = await runChorus(["study", "list"], { ...env, LOG_LEVEL: "loud" });
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr.trim().split("\n")).toHaveLength(1);
    expect(badConfig.stderr).toMatch(/^Config error: LOG_LEVEL: /);
  }, 120_000);

  it("bin/chorus.js runs the CLI from any working directory and passes the exit code through", async () => {
    const ok = await runChorus(["study", "validate", MINI], env, { launcher: true, cwd: tmpdir() });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('study "mini" v1');
    const bad = await runChorus(["study", "validate", BAD], env, { launcher: true, cwd: tmpdir() });
    expect(bad.code).toBe(2);
  }, 120_000);
});
