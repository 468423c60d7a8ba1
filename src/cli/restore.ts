import type { Command } from "commander";
import { recordAudit } from "../staff/audit.js";
import { restoreDatabase } from "../store/restore.js";
import { type CliIo, defaultIo, EXIT, EXIT_CODES_HELP, printJson, runWithoutDatabase } from "./runtime.js";

/** `chorus restore FILE`: a backup back in place of DATABASE_PATH, safely (see src/store/restore.ts). */
export function registerRestoreCommand(program: Command, io: CliIo = defaultIo()): void {
  program
    .command("restore")
    .argument("<file>", "a backup made by chorus backup (or any copy of a Chorus database)")
    .description("Put a backup in place of the database: refused while a process has it open; the old file is kept")
    .option("--force", "replace a database file that cannot even be opened (it is moved aside, not deleted)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Stop every process using the database first (npm start, the bots, chorus commands).
The database replaced is kept beside it as NAME.replaced-TIME, with any -wal/-shm it had.${EXIT_CODES_HELP}`,
    )
    .action((file: string, options: { force?: boolean; json?: boolean }) =>
      runWithoutDatabase(io, async ({ config, actor }) => {
        const result = await restoreDatabase(config.DATABASE_PATH, file, {
          force: options.force ?? false,
          onRestored: (sqlite, restored) =>
            recordAudit(sqlite, actor, "restore", { file: restored.backup, replaced: restored.replacedBy ?? null }),
        });
        if (options.json) {
          printJson(io, result);
          return EXIT.ok;
        }
        io.out(`Restored ${result.database} from ${result.backup}: integrity ${result.integrity}.`);
        if (result.replacedBy) io.out(`The database it replaced is kept as ${result.replacedBy}.`);
        for (const file of result.setAside) io.out(`Set aside with it: ${file}`);
        io.out(
          Object.entries(result.rows)
            .map(([table, n]) => `  ${table}: ${n}`)
            .join("\n"),
        );
        return EXIT.ok;
      }),
    );
}
