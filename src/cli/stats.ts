import type { Command } from "commander";
import { PARTICIPANT_STATUSES } from "../core/flow/effects.js";
import { computeStats, type StudyStats } from "../staff/stats.js";
import { type CliIo, defaultIo, EXIT, formatTable, printJson, runReadCommand } from "./runtime.js";

/** `chorus stats`: per study, participants by status, assessments per scenario, quota cells. */
export function registerStatsCommand(program: Command, io: CliIo = defaultIo()): void {
  program
    .command("stats")
    .description("Per study: participants by status and platform, assessments per scenario, quota cells with targets")
    .option("--study <id>", "only this study")
    .option("--json", "print as JSON")
    .action((options: { study?: string; json?: boolean }) =>
      runReadCommand(io, (runtime) => {
        const stats = computeStats(runtime.database.sqlite, options.study);
        if (options.json) printJson(io, options.study ? stats[0] : stats);
        else if (stats.length === 0) io.out("No studies yet. Import one with: chorus study import FILE");
        else io.out(stats.map(formatStudyStats).join("\n\n"));
        return EXIT.ok;
      }),
    );
}

function formatQuotaCell(cell: Record<string, string>): string {
  return Object.entries(cell)
    .map(([dimension, value]) => `${dimension}=${value}`)
    .join(", ");
}

function formatStudyStats(stats: StudyStats): string {
  const lines = [`Study ${stats.id} v${stats.version} [${stats.status}]`];
  const p = stats.participants;
  const byStatus = PARTICIPANT_STATUSES.filter((status) => p.byStatus[status] > 0)
    .map((status) => `${status} ${p.byStatus[status]}`)
    .join(", ");
  const byPlatform = Object.entries(p.byPlatform)
    .map(([platform, n]) => `${platform} ${n}`)
    .join(", ");
  lines.push(`Participants: ${p.total} (admitted ${p.admitted})${byStatus ? `: ${byStatus}` : ""}`);
  if (byPlatform) lines.push(`By platform: ${byPlatform}`);
  lines.push(`Assessments: ${stats.assessments}`);
  lines.push(
    formatTable(
      ["scenario", "assessments", "assigned", "in progress"],
      stats.scenarios.map((s) => [s.id, s.assessments, s.assigned, s.inProgress]),
    ),
  );
  if (stats.quota) {
    const q = stats.quota;
    lines.push(
      `Quota cells (${q.dimensions.join(" × ")}; default target ${q.defaultTarget ?? "none"}):`,
      q.cells.length === 0
        ? "  (nobody admitted yet)"
        : formatTable(
            ["cell", "count", "target", ""],
            q.cells.map((c) => [formatQuotaCell(c.cell), c.count, c.target ?? "∞", c.full ? "FULL" : ""]),
          ),
    );
  }
  return lines.join("\n");
}
