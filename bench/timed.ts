import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";

/** What /usr/bin/time -v says about one child process. */
export interface Run {
  wallSeconds: number;
  cpuSeconds: number;
  maxRssMb: number;
  outputBytes: number;
}

const root = path.resolve(import.meta.dirname, "..");

/** Runs `command` under /usr/bin/time -v with stdout to `output`; returns its wall time, CPU time and peak RSS. */
export function timed(command: string[], output: string, env: Record<string, string> = {}): Run {
  const result = spawnSync("/usr/bin/time", ["-v", ...command], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1024 * 1024 * 1024,
    encoding: "buffer",
  });
  const report = result.stderr.toString("utf8");
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed:\n${report}`);
  writeFileSync(output, result.stdout);
  const field = (name: string) => report.match(new RegExp(`${name}: (.+)`))?.[1]?.trim() ?? "";
  const [h, m, s] = field("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)").split(":").map(Number);
  const wallSeconds =
    s === undefined ? (h as number) * 60 + (m as number) : (h as number) * 3600 + (m as number) * 60 + s;
  return {
    wallSeconds,
    cpuSeconds: Number(field("User time \\(seconds\\)")) + Number(field("System time \\(seconds\\)")),
    maxRssMb: Number(field("Maximum resident set size \\(kbytes\\)")) / 1024,
    outputBytes: result.stdout.length,
  };
}
