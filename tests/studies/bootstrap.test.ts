import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/store/client.js";

const SAMPLE = fileURLToPath(new URL("../../studies/sample.yaml", import.meta.url));
const BOOTSTRAP = fileURLToPath(new URL("../../src/studies/bootstrap.ts", import.meta.url));
const CLIENT = fileURLToPath(new URL("../../src/store/client.ts", import.meta.url));

/** One process's first start: open the file and make sure the sample study is there; prints what it did. */
function firstStart(path: string): Promise<{ code: number | null; out: string }> {
  const script = `import { openDatabase } from ${JSON.stringify(CLIENT)};
    import { ensureSampleStudy } from ${JSON.stringify(BOOTSTRAP)};
    const database = openDatabase(process.argv[1]);
    console.log(JSON.stringify(ensureSampleStudy(database, ${JSON.stringify(SAMPLE)})));
    database.close();`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, path]);
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("first start on an empty database", () => {
  it("imports and publishes the sample study once, even when three processes start together", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-bootstrap-"));
    try {
      const path = join(dir, "chorus.db");
      const results = await Promise.all([firstStart(path), firstStart(path), firstStart(path)]);
      for (const result of results) expect(result.code, result.out).toBe(0);
      const imported = results.map((result) => JSON.parse(result.out).imported as boolean);
      expect(imported.filter(Boolean)).toHaveLength(1);
      const database = openDatabase(path, { readonly: true });
      // Published in the same transaction as the import: never a draft that the next start would leave alone.
      expect(database.sqlite.prepare("SELECT id, status FROM studies").all()).toEqual([
        { id: "sample-2026", status: "published" },
      ]);
      database.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
