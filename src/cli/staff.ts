import type { Command } from "commander";
import { addStaff, formatStaffRef, listStaff, parseRole, parseStaffRef, removeStaff } from "../staff/staff.js";
import { STAFF_ROLES } from "../store/schema.js";
import {
  type CliIo,
  checkArguments,
  defaultIo,
  EXIT,
  formatTable,
  printJson,
  runCommand,
  runReadCommand,
} from "./runtime.js";

/** `chorus staff add|remove|list`: who may use the staff commands in chat, audited. */
export function registerStaffCommands(program: Command, io: CliIo = defaultIo()): void {
  const staff = program
    .command("staff")
    .description("Staff roles: coordinator (stats, broadcasts), researcher (stats), admin (everything)");

  staff
    .command("add")
    .argument("<platform:user>", "e.g. telegram:123456789 or slack:U0123ABCD")
    .requiredOption("--role <role>", `one of ${STAFF_ROLES.join(", ")}`)
    .description("Give a platform user a staff role (or change their role)")
    .action(async (target: string, options: { role: string }) => {
      // Checked before opening anything: a malformed argument is a usage error (exit 2) whatever the database.
      const parsed = checkArguments(io, () => ({ ref: parseStaffRef(target), role: parseRole(options.role) }));
      if (!parsed) return;
      const { ref, role } = parsed;
      await runCommand(io, (runtime) => {
        const result = addStaff(runtime.database.sqlite, ref, role, runtime.actor);
        const who = formatStaffRef(ref);
        io.out(
          result.action === "unchanged"
            ? `${who} is already ${role}; nothing changed.`
            : result.action === "changed"
              ? `${who}: ${result.previousRole} → ${role}.`
              : `${who} added as ${role}.`,
        );
        return EXIT.ok;
      });
    });

  staff
    .command("remove")
    .argument("<platform:user>", "e.g. telegram:123456789 or slack:U0123ABCD")
    .description("Take a platform user's staff role away")
    .action(async (target: string) => {
      const ref = checkArguments(io, () => parseStaffRef(target));
      if (!ref) return;
      await runCommand(io, (runtime) => {
        const previous = removeStaff(runtime.database.sqlite, ref, runtime.actor);
        if (!previous) {
          io.err(`${formatStaffRef(ref)} is not staff; nothing removed.`);
          return EXIT.failed;
        }
        io.out(`${formatStaffRef(ref)} (${previous}) removed.`);
        return EXIT.ok;
      });
    });

  staff
    .command("list")
    .description("Every staff member with role, when and by whom added")
    .option("--json", "print as JSON")
    .action((options: { json?: boolean }) =>
      runReadCommand(io, (runtime) => {
        const members = listStaff(runtime.database.sqlite);
        if (options.json) printJson(io, members);
        else if (members.length === 0)
          io.out("No staff yet. Add one with: chorus staff add telegram:123456789 --role admin");
        else {
          io.out(
            formatTable(
              ["member", "role", "added", "by"],
              members.map((m) => [formatStaffRef(m), m.role, m.addedAt, m.addedBy]),
            ),
          );
        }
        return EXIT.ok;
      }),
    );
}
