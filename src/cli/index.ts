/**
 * The `chorus` command line: the composition root for staff commands. Each
 * noun registers itself from its own file (src/cli/<noun>.ts); this file
 * only builds the program, maps commander's outcomes to exit codes and runs
 * when executed directly (`npm run chorus -- …`, `bin/chorus.js`).
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { registerAnalyzeCommand } from "./analyze.js";
import { registerAuditCommand } from "./audit.js";
import { registerBackupCommand } from "./backup.js";
import { registerBroadcastCommands } from "./broadcast.js";
import { registerExportCommand } from "./export.js";
import { registerLocalesCommands } from "./locales.js";
import { registerRecruitCommands } from "./recruit.js";
import { registerReferenceCommands } from "./reference.js";
import { type CliIo, defaultIo, EXIT, EXIT_CODES_HELP } from "./runtime.js";
import { registerScenarioCommands } from "./scenario.js";
import { registerStaffCommands } from "./staff.js";
import { registerStatsCommand } from "./stats.js";
import { registerStudyCommands } from "./study.js";

const PROGRAM_HELP = `${EXIT_CODES_HELP}

Configuration comes from the environment (and ./.env); see .env.example.
The database is DATABASE_PATH (default data/chorus.db).`;

export function createProgram(io: CliIo = defaultIo()): Command {
  const program = new Command("chorus")
    .description("Chorus: collective-alignment surveys in chat apps — staff commands")
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    // afterAll: every command's and subcommand's --help ends with the exit codes.
    .addHelpText("afterAll", PROGRAM_HELP);
  // One line per noun, in the order --help lists them.
  registerStudyCommands(program, io);
  registerScenarioCommands(program, io);
  registerStatsCommand(program, io);
  registerRecruitCommands(program, io);
  registerBroadcastCommands(program, io);
  registerExportCommand(program, io);
  registerAnalyzeCommand(program, io);
  registerReferenceCommands(program, io);
  registerStaffCommands(program, io);
  registerAuditCommand(program, io);
  registerBackupCommand(program, io);
  registerLocalesCommands(program, io);
  return program;
}

/** Parses and runs one command line; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const program = createProgram(io);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      const done = ["commander.helpDisplayed", "commander.help", "commander.version"].includes(error.code);
      return done ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  return Number(process.exitCode ?? EXIT.ok);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = EXIT.failed;
    },
  );
}
