import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { myDataText } from "../core/flow/mydata.js";
import type { ParticipantDataSummary } from "../core/ports.js";
import { prepareOutput } from "../files.js";
import { recordAudit } from "../staff/audit.js";
import { parseStaffRef } from "../staff/staff.js";
import { findParticipantId, type ParticipantLookup, withdrawParticipant } from "../store/participants.js";
import { createSurveyStore } from "../store/survey-store.js";
import {
  type CliIo,
  type CliRuntime,
  CommandFailure,
  checkArguments,
  defaultIo,
  EXIT,
  EXIT_CODES_HELP,
  formatTable,
  printJson,
  runCommand,
  UsageError,
} from "./runtime.js";

/**
 * `chorus participant show|withdraw|export WHO`: access and erasure requests
 * that reach the team by e-mail. WHO is the random participant id, or
 * PLATFORM:USER (telegram:123456789, slack:U0123ABCD, console:NAME). Every
 * use is audited under the random id only (never the platform id typed).
 */
export function registerParticipantCommands(program: Command, io: CliIo = defaultIo()): void {
  const participant = program
    .command("participant")
    .description("One participant's data: show it, export it for them, or withdraw them (delete everything)");
  const who = "participant id, or PLATFORM:USER (telegram:123456789, slack:U0123ABCD, console:NAME)";

  participant
    .command("show")
    .argument("<who>", who)
    .description("Everything stored about the participant (never their platform id)")
    .option("--json", "print as JSON")
    .addHelpText("after", EXIT_CODES_HELP)
    .action((text: string, options: { json?: boolean }) => {
      const lookup = checkArguments(io, () => parseLookup(text));
      if (!lookup) return;
      return runCommand(io, (runtime) => {
        const summary = summaryOf(runtime, lookup, text);
        recordAudit(runtime.database.sqlite, runtime.actor, "participant.show", {
          participantId: summary.participantId,
        });
        if (options.json) printJson(io, summary);
        else io.out(describe(summary));
        return EXIT.ok;
      });
    });

  participant
    .command("export")
    .argument("<who>", who)
    .requiredOption("--out <file>", "the JSON file to write (for the participant)")
    .description("Write everything stored about the participant to a JSON file, with a summary in their language")
    .option("--json", "print the result as JSON")
    .addHelpText("after", EXIT_CODES_HELP)
    .action((text: string, options: { out: string; json?: boolean }) => {
      const lookup = checkArguments(io, () => parseLookup(text));
      if (!lookup) return;
      return runCommand(io, (runtime) => {
        const summary = summaryOf(runtime, lookup, text);
        prepareOutput(options.out, "file");
        const study = createSurveyStore(runtime.database).study(summary.studyId);
        const document = {
          exportedAt: new Date().toISOString(),
          participant: summary,
          // The same summary "/mydata" shows, in the participant's own language.
          summary: study ? runtime.i18n.render(summary.locale, myDataText(summary, study, summary.locale)) : null,
        };
        writeFileSync(options.out, `${JSON.stringify(document, null, 2)}\n`);
        recordAudit(runtime.database.sqlite, runtime.actor, "participant.export", {
          participantId: summary.participantId,
          file: options.out,
        });
        if (options.json) printJson(io, { participantId: summary.participantId, out: options.out });
        else io.out(`Wrote everything stored about participant ${summary.participantId} to ${options.out}`);
        return EXIT.ok;
      });
    });

  participant
    .command("withdraw")
    .argument("<who>", who)
    .description("Delete the participant and everything about them, as /withdraw does (the audit log keeps the id)")
    .option("--yes", "really delete (required: this cannot be undone)")
    .option("--json", "print the result as JSON")
    .addHelpText("after", EXIT_CODES_HELP)
    .action((text: string, options: { yes?: boolean; json?: boolean }) => {
      const lookup = checkArguments(io, () => {
        const parsed = parseLookup(text);
        if (!options.yes)
          throw new UsageError("withdraw deletes everything about the participant and cannot be undone; add --yes");
        return parsed;
      });
      if (!lookup) return;
      return runCommand(io, ({ database, actor }) => {
        const participantId = findParticipantId(database.sqlite, lookup);
        if (!participantId || !withdrawParticipant(database.sqlite, participantId, actor)) {
          throw new CommandFailure(`No participant ${text} (nothing was deleted)`);
        }
        if (options.json) printJson(io, { participantId, withdrawn: true });
        else io.out(`Withdrew participant ${participantId}: every row about them is deleted.`);
        return EXIT.ok;
      });
    });
}

/** `telegram:123`, `slack:U…`, `console:NAME`, or a participant id. */
function parseLookup(text: string): ParticipantLookup {
  const trimmed = text.trim();
  if (trimmed === "") throw new UsageError(`expected a participant id or PLATFORM:USER`);
  if (!trimmed.includes(":")) return { id: trimmed };
  if (trimmed.toLowerCase().startsWith("console:")) {
    const name = trimmed.slice("console:".length);
    if (name === "") throw new UsageError(`"${text}": expected console:NAME`);
    return { platform: "console", platformUserId: name };
  }
  const ref = parseStaffRef(trimmed);
  return { platform: ref.platform, platformUserId: ref.userId };
}

function summaryOf(runtime: CliRuntime, lookup: ParticipantLookup, text: string): ParticipantDataSummary {
  const id = findParticipantId(runtime.database.sqlite, lookup);
  const summary = id ? createSurveyStore(runtime.database).dataSummary(id) : undefined;
  if (!summary) throw new CommandFailure(`No participant ${text}`);
  return summary;
}

function describe(summary: ParticipantDataSummary): string {
  const lines = [
    `Participant ${summary.participantId} (${summary.platform}), study ${summary.studyId}, status ${summary.status}, locale ${summary.locale}`,
    `  since ${summary.createdAt}${summary.source ? `, came through "${summary.source}"` : ""}`,
    `  consent: ${summary.consentVersion ? `version ${summary.consentVersion} at ${summary.consentedAt ?? "—"}` : "none"}`,
  ];
  const answers = [
    ...summary.screening.map((a) => [`screening ${a.questionId}`, a.optionId, a.passed ? "passed" : "failed"]),
    ...summary.profile.map((a) => [a.questionId, a.value ?? "prefer_not_to_say", ""]),
  ];
  if (answers.length > 0) lines.push("", formatTable(["QUESTION", "ANSWER", ""], answers));
  for (const assessment of summary.assessments) {
    lines.push(
      "",
      `Scenario ${assessment.scenarioId} (position ${assessment.position}, shown ${assessment.shownOrder}, ${assessment.form} form, completed ${assessment.completedAt})`,
    );
    for (const block of assessment.blocks) {
      lines.push(`  ${block.block}: ${block.ranking}${block.rationale ? ` — ${JSON.stringify(block.rationale)}` : ""}`);
    }
    if (assessment.unacceptable) {
      const labels = assessment.unacceptable.labels.join(", ") || "none";
      const why = assessment.unacceptable.rationale ? ` — ${JSON.stringify(assessment.unacceptable.rationale)}` : "";
      lines.push(`  unacceptable: ${labels}${why}`);
    }
  }
  if (summary.assessments.length === 0) lines.push("", "No completed scenarios.");
  return lines.join("\n");
}
