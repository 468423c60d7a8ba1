import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain JavaScript module of the launcher (no types).
import { BUILD_STAMP, distIsCurrent } from "../../bin/dist-state.js";

/**
 * bin/chorus.js runs the build in dist/ (npm run build) while it is current,
 * else the TypeScript through tsx. The build is made here in a copy of the
 * package, so the working tree's own dist/ is never touched by a test.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MINI = join(ROOT, "tests/fixtures/mini-study.yaml");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "chorus-launcher-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("distIsCurrent", () => {
  it("is true only when the build is newer than every source file", () => {
    const src = join(dir, "src");
    const dist = join(dir, "dist");
    mkdirSync(join(src, "store"), { recursive: true });
    mkdirSync(dist);
    const file = join(src, "store", "module.ts");
    writeFileSync(file, "export {};\n");
    const past = new Date(Date.now() - 60_000);
    utimesSync(file, past, past);
    expect(distIsCurrent(src, dist)).toBe(false); // never built
    writeFileSync(join(dist, BUILD_STAMP), "not a time\n");
    expect(distIsCurrent(src, dist)).toBe(false);
    writeFileSync(join(dist, BUILD_STAMP), `${Date.now() - 30_000}\n`);
    expect(distIsCurrent(src, dist)).toBe(true);
    const now = new Date();
    utimesSync(file, now, now); // edited after the build
    expect(distIsCurrent(src, dist)).toBe(false);
  });
});

describe("bin/chorus.js with a build", () => {
  it("runs the built CLI, which finds the locales and migrations from dist/", () => {
    // A copy of the package: its own bin/ and src/ (so the build lands in its own dist/), the rest linked.
    cpSync(join(ROOT, "bin"), join(dir, "bin"), { recursive: true });
    cpSync(join(ROOT, "src"), join(dir, "src"), { recursive: true });
    cpSync(join(ROOT, "package.json"), join(dir, "package.json"));
    for (const linked of ["node_modules", "locales", "db"]) symlinkSync(join(ROOT, linked), join(dir, linked));
    const run = ([script, ...args]: string[]) =>
      spawnSync(process.execPath, [join(dir, "bin", script as string), ...args], {
        cwd: tmpdir(),
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_PATH: join(dir, "chorus.db") },
        encoding: "utf8",
      });
    const built = run(["build.js"]);
    expect(built.status, built.stderr).toBe(0);
    // The TypeScript entry goes: only the build can run now.
    rmSync(join(dir, "src", "cli", "index.ts"));
    const validated = run(["chorus.js", "study", "validate", MINI]);
    expect(validated.status, validated.stderr).toBe(0);
    expect(validated.stdout).toContain('study "mini" v1');
    const imported = run(["chorus.js", "study", "import", MINI]);
    expect(imported.status, imported.stderr).toBe(0);
    const listed = run(["chorus.js", "study", "list", "--json"]);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: "mini", version: 1, scenarios: 3 }]);
    const unknown = run(["chorus.js", "study", "publish", "nope"]);
    expect(unknown.status).toBe(1);
  }, 120_000);
});
