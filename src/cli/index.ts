/**
 * The `chorus` command line: the composition root for staff commands. Each
 * noun registers itself from its own file (src/cli/<noun>.ts); this file
 * only builds the program, maps commander's outcomes to exit codes and runs
 * when executed directly (`npm run chorus -- …`, `bin/chorus.js`).
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { type CliIo, defaultIo, EXIT, EXIT_CODES_HELP } from "./runtime.js";

type Register = (program: Command, io: CliIo) => void;

/**
 * Every noun, in the order --help lists them, with its module loaded only
 * when needed: a command loads its own noun's code (the export does not pay
 * for grammY, Bolt and Parquet start-up); help and unknown words load all.
 */
const NOUNS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ["study", async () => (await import("./study.js")).registerStudyCommands],
  ["scenario", async () => (await import("./scenario.js")).registerScenarioCommands],
  ["stats", async () => (await import("./stats.js")).registerStatsCommand],
  ["recruit", async () => (await import("./recruit.js")).registerRecruitCommands],
  ["broadcast", async () => (await import("./broadcast.js")).registerBroadcastCommands],
  ["export", async () => (await import("./export.js")).registerExportCommand],
  ["analyze", async () => (await import("./analyze.js")).registerAnalyzeCommand],
  ["reference", async () => (await import("./reference.js")).registerReferenceCommands],
  ["staff", async () => (await import("./staff.js")).registerStaffCommands],
  ["participant", async () => (await import("./participant.js")).registerParticipantCommands],
  ["audit", async () => (await import("./audit.js")).registerAuditCommand],
  ["backup", async () => (await import("./backup.js")).registerBackupCommand],
  ["restore", async () => (await import("./restore.js")).registerRestoreCommand],
  ["locales", async () => (await import("./locales.js")).registerLocalesCommands],
];

const PROGRAM_HELP = `${EXIT_CODES_HELP}

Configuration comes from the environment (and ./.env); see .env.example.
The database is DATABASE_PATH (default data/chorus.db).`;

/** The program with the nouns `argv` needs (all of them when it names none we know). */
export async function createProgram(io: CliIo = defaultIo(), argv: readonly string[] = []): Promise<Command> {
  const program = new Command("chorus")
    .description("Chorus: collective-alignment surveys in chat apps — staff commands")
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) })
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    // afterAll: every command's and subcommand's --help ends with the exit codes.
    .addHelpText("afterAll", PROGRAM_HELP);
  const noun = argv.find((word) => !word.startsWith("-"));
  const named = NOUNS.filter(([name]) => name === noun);
  for (const [, load] of named.length > 0 ? named : NOUNS) (await load())(program, io);
  return program;
}

/** Parses and runs one command line; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const program = await createProgram(io, argv);
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
