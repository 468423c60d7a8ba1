import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Debian's Python with the packages the independent checks use (scipy,
 * pandas, yaml, nltk), which `.ci/run` installs from apt. Not `python3` on
 * PATH: a pyenv or virtualenv interpreter there would not see Debian's
 * packages. CHORUS_TEST_PYTHON overrides it.
 */
const PYTHON = process.env.CHORUS_TEST_PYTHON ?? "/usr/bin/python3";

/** Why the checks cannot run (the skip reason), or null when they can. */
export function pythonMissing(modules: readonly string[]): string | null {
  const probe = spawnSync(PYTHON, ["-c", `import ${modules.join(", ")}`], { encoding: "utf8" });
  if (probe.error) return `${PYTHON} not found`;
  if (probe.status !== 0) return `${PYTHON} lacks ${modules.join("/")} (apt-get install python3-…; .ci/run does)`;
  return null;
}

/** Runs a script of this folder; returns its parsed JSON output, or throws with its stderr. */
export function runPython<T>(script: string, args: readonly string[], input?: string): T {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const result = spawnSync(PYTHON, [path, ...args], { encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${script} failed (${result.status}): ${result.stderr || result.error}`);
  return JSON.parse(result.stdout) as T;
}
