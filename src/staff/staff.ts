import { ChorusError } from "../core/errors.js";
import type { SqliteConnection } from "../store/client.js";
import { STAFF_ROLES, type StaffRole } from "../store/schema.js";
import { deleteStaff, selectStaff, selectStaffRole, upsertStaff } from "../store/staff.js";
import { type Actor, recordAudit } from "./audit.js";

/** Platforms staff act from in chat. */
const STAFF_PLATFORMS = ["telegram", "slack"] as const;
export type StaffPlatform = (typeof STAFF_PLATFORMS)[number];

export interface StaffRef {
  platform: StaffPlatform;
  userId: string;
}

/** What each role may do. Admins may do everything. */
export const PERMISSIONS = {
  stats: ["coordinator", "researcher", "admin"],
  broadcast: ["coordinator", "admin"],
} as const satisfies Record<string, readonly StaffRole[]>;
export type StaffPermission = keyof typeof PERMISSIONS;

/** Malformed `PLATFORM:USER` or role; the message says what was expected. */
class StaffInputError extends ChorusError {
  override readonly name = "StaffInputError";
  override readonly kind = "usage";
}

const USER_ID: Record<StaffPlatform, { pattern: RegExp; example: string }> = {
  // Telegram user ids are positive integers.
  telegram: { pattern: /^[1-9][0-9]{0,19}$/, example: "telegram:123456789" },
  // Slack user ids: U… or W… (Enterprise Grid) followed by upper-case letters and digits.
  slack: { pattern: /^[UW][A-Z0-9]{2,20}$/, example: "slack:U0123ABCD" },
};

/** Parses `telegram:123456789` or `slack:U0123ABCD`. */
export function parseStaffRef(text: string): StaffRef {
  const colon = text.indexOf(":");
  const expected = `expected PLATFORM:USER such as ${USER_ID.telegram.example} or ${USER_ID.slack.example}`;
  if (colon <= 0) throw new StaffInputError(`"${text}": ${expected}`);
  const platform = text.slice(0, colon).toLowerCase();
  const userId = text.slice(colon + 1);
  if (!(STAFF_PLATFORMS as readonly string[]).includes(platform)) {
    throw new StaffInputError(`"${text}": unknown platform "${platform}"; ${expected}`);
  }
  const rule = USER_ID[platform as StaffPlatform];
  if (!rule.pattern.test(userId)) {
    throw new StaffInputError(
      `"${text}": "${userId}" is not a ${platform} user id; ${expected} (Slack: the member id from the profile's ⋯ menu; Telegram: the numeric id)`,
    );
  }
  return { platform: platform as StaffPlatform, userId };
}

export function parseRole(text: string): StaffRole {
  if ((STAFF_ROLES as readonly string[]).includes(text)) return text as StaffRole;
  throw new StaffInputError(`unknown role "${text}"; expected one of ${STAFF_ROLES.join(", ")}`);
}

export function formatStaffRef(ref: StaffRef): string {
  return `${ref.platform}:${ref.userId}`;
}

interface StaffMember extends StaffRef {
  role: StaffRole;
  addedAt: string;
  addedBy: string;
}

export function staffRole(sqlite: SqliteConnection, ref: StaffRef): StaffRole | undefined {
  return selectStaffRole(sqlite, ref.platform, ref.userId);
}

export function can(role: StaffRole | undefined, permission: StaffPermission): boolean {
  return role !== undefined && (PERMISSIONS[permission] as readonly StaffRole[]).includes(role);
}

/** Adds a staff member or changes their role; audited. */
export function addStaff(
  sqlite: SqliteConnection,
  ref: StaffRef,
  role: StaffRole,
  actor: Actor,
  at = new Date().toISOString(),
): { action: "added" | "changed" | "unchanged"; previousRole?: StaffRole } {
  return sqlite
    .transaction(() => {
      const previous = staffRole(sqlite, ref);
      if (previous === role) return { action: "unchanged" as const, previousRole: previous };
      upsertStaff(sqlite, { ...ref, role, addedAt: at, addedBy: actor.id });
      recordAudit(sqlite, actor, "staff.add", { staff: formatStaffRef(ref), role, previousRole: previous ?? null }, at);
      return previous ? { action: "changed" as const, previousRole: previous } : { action: "added" as const };
    })
    .immediate();
}

/** Removes a staff member; false if there was none. Audited when something was removed. */
export function removeStaff(
  sqlite: SqliteConnection,
  ref: StaffRef,
  actor: Actor,
  at = new Date().toISOString(),
): StaffRole | undefined {
  return sqlite
    .transaction(() => {
      const previous = staffRole(sqlite, ref);
      if (!previous) return undefined;
      deleteStaff(sqlite, ref.platform, ref.userId);
      recordAudit(sqlite, actor, "staff.remove", { staff: formatStaffRef(ref), role: previous }, at);
      return previous;
    })
    .immediate();
}

export function listStaff(sqlite: SqliteConnection): StaffMember[] {
  // Only the platforms staff act from are ever written (parseStaffRef checks).
  return selectStaff(sqlite) as StaffMember[];
}
