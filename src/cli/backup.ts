import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { recordAudit } from "../staff/audit.js";
import { backupDatabase } from "../store/backup.js";
import { type CliIo, CommandFailure, defaultIo, EXIT, printJson, runCommand, startProgress } from "./runtime.js";

/** `chorus backup FILE`: SQLite's online backup, safe while the bots run; the copy is checked before reporting. */
export function registerBackupCommand(program: Command, io: CliIo = defaultIo()): void {
  program
    .command("backup")
    .argument("<file>", "where to write the copy")
    .description("Copy the database with SQLite's online backup (safe while the bots write), then check the copy")
    .option("--force", "overwrite FILE if it exists")
    .option("--json", "print the result as JSON")
    .action((file: string, options: { force?: boolean; json?: boolean }) =>
      runCommand(io, async (runtime) => {
        const target = path.resolve(file);
        if (target === path.resolve(runtime.config.DATABASE_PATH)) {
          throw new CommandFailure("The backup file must not be the database itself");
        }
        if (existsSync(target)) {
          if (!options.force) throw new CommandFailure(`${file} exists; choose another file or pass --force`);
          rmSync(target);
        }
        let progress: ReturnType<typeof startProgress> | undefined;
        const result = await backupDatabase(runtime.database.sqlite, target, (done, total) => {
          progress ??= startProgress(io, "Backing up (pages)", total);
          progress.update(done);
        });
        progress?.stop();
        recordAudit(runtime.database.sqlite, runtime.actor, "backup", { file: target, pages: result.pages });
        if (options.json) printJson(io, result);
        else {
          io.out(`Backup written to ${target}: ${result.pages} pages, integrity ${result.integrity}.`);
          io.out(
            Object.entries(result.rows)
              .map(([table, n]) => `  ${table}: ${n}`)
              .join("\n"),
          );
        }
        return EXIT.ok;
      }),
    );
}
