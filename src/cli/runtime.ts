import { existsSync } from "node:fs";
import path from "node:path";
import cliProgress from "cli-progress";
import { type Config, loadConfig } from "../config.js";
import { ChorusError, type ErrorKind } from "../core/errors.js";
import { createI18n, type I18n } from "../i18n/index.js";
import { LOCALES_DIR } from "../paths.js";
import { type Actor, cliActor } from "../staff/audit.js";
import { isBusyError } from "../store/busy.js";
import { type OpenedDatabase, openDatabase } from "../store/client.js";

/**
 * What the coordinator commands share: config from the environment (and
 * .env), the database, i18n, the CLI actor for the audit log, exit codes,
 * JSON output and progress reporting. Nothing happens at import time.
 */

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Exit codes for a command's --help (the program's help lists them for every command too). */
export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  failed: nothing matched, an unknown id, refused input, a platform or database error
  2  usage or invalid input: a malformed argument or option (e.g. PLATFORM:USER), an invalid study or scenario file`;

/** What each kind of ChorusError exits with. */
const EXIT_OF_KIND: Record<ErrorKind, number> = { usage: EXIT.usage, failed: EXIT.failed };

/** A malformed command line: printed as one line, exit 2. */
export class UsageError extends ChorusError {
  override readonly name = "UsageError";
  override readonly kind = "usage";
}

/** A refused operation: printed as one line, exit 1. */
export class CommandFailure extends ChorusError {
  override readonly name = "CommandFailure";
}

export interface CliRuntime {
  config: Config;
  database: OpenedDatabase;
  i18n: I18n;
  actor: Actor;
  close(): void;
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (progress bars) or not (plain lines). */
  isTty: boolean;
  env: Record<string, string | undefined>;
}

export function defaultIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    isTty: Boolean(process.stderr.isTTY),
    // Read when a command runs, not when commands are registered.
    get env() {
      return readEnvironment();
    },
  };
}

function readEnvironment(): Record<string, string | undefined> {
  const envFile = path.resolve(".env");
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return process.env;
}

interface RuntimeOptions {
  /**
   * The command only reads (lists, status, exports, analyses): the database is
   * opened read-only, so it never waits for or takes the write lock, and works
   * on a file the user may only read.
   */
  readonly?: boolean;
}

function openRuntime(io: CliIo, options: RuntimeOptions = {}): CliRuntime {
  const config = loadConfig(io.env);
  const database = openDatabase(config.DATABASE_PATH, { readonly: options.readonly ?? false });
  const i18n = createI18n({ localesDir: LOCALES_DIR, fallbackLocale: config.DEFAULT_LOCALE });
  return { config, database, i18n, actor: cliActor(), close: () => database.close() };
}

/**
 * The error as the operator should read it: SQLite's busy answer (another
 * process held the write lock past busy_timeout: a long import, an sqlite3
 * shell) becomes one line instead of a stack.
 */
function operatorError(error: unknown): unknown {
  if (!isBusyError(error)) return error;
  return new CommandFailure(
    "The database is locked by another process (a long import, an open sqlite3 shell?); try again when it is done",
    { cause: error },
  );
}

/** The exit code of an error that carries a one-line message for the operator (a ChorusError), by its kind. */
function exitCodeOf(error: unknown): number | undefined {
  return error instanceof ChorusError ? EXIT_OF_KIND[error.kind] : undefined;
}

/**
 * Runs one command: opens the runtime, runs `fn`, closes, sets the exit code.
 * Known refusals print one line on stderr; anything else prints its stack (exit 1).
 */
export async function runCommand(
  io: CliIo,
  fn: (runtime: CliRuntime) => Promise<number | undefined> | number | undefined,
  options: RuntimeOptions = {},
): Promise<void> {
  let runtime: CliRuntime | undefined;
  try {
    await runGuarded(io, () => {
      runtime = openRuntime(io, options);
      return fn(runtime);
    });
  } finally {
    runtime?.close();
  }
}

/** Runs `fn`, sets the exit code; known refusals print one line on stderr, anything else its stack (exit 1). */
async function runGuarded(io: CliIo, fn: () => Promise<number | undefined> | number | undefined): Promise<void> {
  try {
    process.exitCode = (await fn()) ?? EXIT.ok;
  } catch (thrown) {
    const error = operatorError(thrown);
    const code = exitCodeOf(error);
    if (code === undefined) {
      io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = EXIT.failed;
    } else {
      io.err((error as Error).message);
      process.exitCode = code;
    }
  }
}

/**
 * Runs a command that must not open the database itself (restore replaces
 * the file): config and the CLI actor only, with runCommand's exit codes.
 */
export async function runWithoutDatabase(
  io: CliIo,
  fn: (context: { config: Config; actor: Actor }) => Promise<number | undefined> | number | undefined,
): Promise<void> {
  await runGuarded(io, () => fn({ config: loadConfig(io.env), actor: cliActor() }));
}

/** runCommand for a command that only reads: the database is opened read-only (see RuntimeOptions). */
export function runReadCommand(
  io: CliIo,
  fn: (runtime: CliRuntime) => Promise<number | undefined> | number | undefined,
): Promise<void> {
  return runCommand(io, fn, { readonly: true });
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** Fixed-width columns for human-readable lists. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const all = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? "").length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

interface Progress {
  update(done: number, extra?: string): void;
  stop(): void;
}

/**
 * A progress bar on a terminal (stderr), plain lines otherwise: one at most
 * every `plainEveryMs` and at the end, so logs stay readable.
 */
export function startProgress(io: CliIo, label: string, total: number, plainEveryMs = 2000): Progress {
  if (io.isTty) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {extra}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { extra: "" });
    return {
      update: (done, extra = "") => bar.update(done, { extra }),
      stop: () => bar.stop(),
    };
  }
  let lastLineAt = 0;
  let printed = -1;
  let current = 0;
  let currentExtra = "";
  const line = () => {
    io.err(`${label}: ${current}/${total}${currentExtra ? ` (${currentExtra})` : ""}`);
    printed = current;
    lastLineAt = Date.now();
  };
  return {
    update(done, extra = "") {
      current = done;
      currentExtra = extra;
      if (Date.now() - lastLineAt >= plainEveryMs) line();
    },
    stop() {
      if (printed !== current) line();
    },
  };
}

/**
 * Checks arguments before anything is opened: a malformed one prints its
 * message and sets exit code 2; returns undefined then, so the action stops.
 */
export function checkArguments<T>(io: CliIo, check: () => T): T | undefined {
  try {
    return check();
  } catch (error) {
    if (exitCodeOf(error) !== EXIT.usage) throw error;
    io.err((error as Error).message);
    process.exitCode = EXIT.usage;
    return undefined;
  }
}
