import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/index.js";

const CLI = fileURLToPath(new URL("../../src/cli/index.ts", import.meta.url));
const LAUNCHER = fileURLToPath(new URL("../../bin/chorus.js", import.meta.url));

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `chorus` CLI in a child process (node --import tsx
 * src/cli/index.ts), with only the given environment plus PATH/HOME, so a
 * developer's .env or variables never leak in. `launcher` runs bin/chorus.js.
 */
export function runChorus(
  args: string[],
  env: Record<string, string>,
  options: { launcher?: boolean; cwd?: string } = {},
): Promise<CliRun> {
  const command = options.launcher ? [LAUNCHER, ...args] : ["--import", "tsx", CLI, ...args];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, command, {
      cwd: options.cwd ?? fileURLToPath(new URL("../../", import.meta.url)),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs a command line in this process through the same program (faster than
 * a child process: no second start-up). Resets process.exitCode afterwards.
 */
export async function runChorusInProcess(args: string[], env: Record<string, string>): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io = {
    out: (text: string) => {
      stdout += text.endsWith("\n") ? text : `${text}\n`;
    },
    err: (text: string) => {
      stderr += text.endsWith("\n") ? text : `${text}\n`;
    },
    isTty: false,
    env,
  };
  const previous = process.exitCode;
  process.exitCode = undefined;
  try {
    const code = await runCli(args, io);
    return { code, stdout, stderr };
  } finally {
    process.exitCode = previous;
  }
}
