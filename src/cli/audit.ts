import type { Command } from "commander";
import { listAudit } from "../staff/audit.js";
import { type CliIo, defaultIo, EXIT, formatTable, printJson, runReadCommand, UsageError } from "./runtime.js";

/** `chorus audit`: the staff actions log, newest first. */
export function registerAuditCommand(program: Command, io: CliIo = defaultIo()): void {
  program
    .command("audit")
    .description("List staff actions (who, what, when, from which platform or the CLI), newest first")
    .option("--limit <n>", "at most this many entries", "100")
    .option("--since <iso-time>", "only entries at or after this time, e.g. 2026-11-01")
    .option("--action <name>", "only this action or family (e.g. broadcast, staff.add)")
    .option("--actor <who>", "only this actor (e.g. telegram:123, cli:alice)")
    .option("--json", "print as JSON")
    .action((options: { limit: string; since?: string; action?: string; actor?: string; json?: boolean }) =>
      runReadCommand(io, (runtime) => {
        const limit = Number(options.limit);
        if (!Number.isSafeInteger(limit) || limit <= 0)
          throw new UsageError(`--limit ${options.limit}: expected a positive number`);
        if (options.since && Number.isNaN(Date.parse(options.since))) {
          throw new UsageError(`--since ${options.since}: expected a date or time such as 2026-11-01`);
        }
        const entries = listAudit(runtime.database.sqlite, {
          limit,
          ...(options.since ? { since: new Date(options.since).toISOString() } : {}),
          ...(options.action ? { action: options.action } : {}),
          ...(options.actor ? { actor: options.actor } : {}),
        });
        if (options.json) printJson(io, entries);
        else if (entries.length === 0) io.out("No audited actions.");
        else {
          io.out(
            formatTable(
              ["at", "actor", "origin", "action", "details"],
              entries.map((e) => [e.at, e.actor, e.origin, e.action, e.details ? JSON.stringify(e.details) : ""]),
            ),
          );
        }
        return EXIT.ok;
      }),
    );
}
