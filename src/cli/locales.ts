import path from "node:path";
import type { Command } from "commander";
import { checkLocales, checkStudyTexts, flattenKeys, type LocaleProblem, pluralCategories } from "../i18n/check.js";
import { loadLocaleResources } from "../i18n/index.js";
import { LOCALES_DIR } from "../paths.js";
import { loadStudyFile } from "../studies/load.js";
import { type CliIo, defaultIo } from "./runtime.js";

interface LocalesCheckOptions {
  /** The locales folder (default ./locales). */
  dir: string;
  /** The reference locale every other is compared with. */
  reference: string;
  /** Study files whose participant texts must exist in every locale. */
  studies: string[];
}

/**
 * `chorus locales check`: prints every problem, one line each
 * (`ar  ranking.ask_world  missing_key  not translated`), then a summary;
 * returns the exit code (1 when anything is wrong).
 */
export function runLocalesCheck(options: LocalesCheckOptions, out: (line: string) => void): number {
  const resources = loadLocaleResources(options.dir);
  if (!resources[options.reference]) {
    out(`locales: no folder for the reference locale "${options.reference}" in ${options.dir}`);
    return 1;
  }
  const locales = Object.keys(resources).sort();
  const problems: LocaleProblem[] = checkLocales(resources, options.reference);
  for (const file of options.studies) {
    const loaded = loadStudyFile(file);
    if (!loaded.ok) {
      for (const problem of loaded.problems) out(problem);
      return 1;
    }
    problems.push(...checkStudyTexts(loaded.study, locales));
  }
  for (const problem of problems) {
    out(`${problem.locale.padEnd(6)}${problem.key}  ${problem.kind}  ${problem.detail}`);
  }
  const keys = flattenKeys(resources[options.reference]?.translation ?? {}).size;
  for (const locale of locales) {
    const count = problems.filter((problem) => problem.locale === locale).length;
    const plurals = pluralCategories(locale).join("/");
    out(`${locale.padEnd(6)}${count === 0 ? "ok" : `${count} problem${count === 1 ? "" : "s"}`}  (plural: ${plurals})`);
  }
  out(
    problems.length === 0
      ? `${locales.length} locales, ${keys} keys in ${options.reference}: all complete`
      : `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${new Set(problems.map((p) => p.locale)).size} locale(s)`,
  );
  return problems.length === 0 ? 0 : 1;
}

/** Registers `locales check` on the chorus program. */
export function registerLocalesCommands(program: Command, io: CliIo = defaultIo()): void {
  const locales = program.command("locales").description("Check the UI translations in locales/");
  locales
    .command("check")
    .description("List missing or extra keys, mismatched {{variables}} and plural forms per locale versus English")
    .option("--dir <folder>", "locales folder", LOCALES_DIR)
    .option("--reference <locale>", "the complete locale others are compared with", "en")
    .option("--study <file...>", "also check that these study files translate every participant text", [])
    .action((opts: { dir: string; reference: string; study: string[] }) => {
      process.exitCode = runLocalesCheck(
        { dir: path.resolve(opts.dir), reference: opts.reference, studies: opts.study },
        io.out,
      );
    });
}
