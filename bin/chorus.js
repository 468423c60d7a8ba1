#!/usr/bin/env node
// Runs the CLI from any working directory: the build in dist/ (npm run build) in this very process while it
// is current, else the TypeScript (src/cli/index.ts) through tsx, whose loader costs ~45 MB and a second
// process more.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { distIsCurrent } from "./dist-state.js";

if (distIsCurrent()) {
  const { runCli } = await import("../dist/cli/index.js");
  try {
    process.exitCode = await runCli(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  }
} else {
  const entry = fileURLToPath(new URL("../src/cli/index.ts", import.meta.url));
  const tsx = import.meta.resolve("tsx");
  const child = spawn(process.execPath, ["--import", tsx, entry, ...process.argv.slice(2)], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
