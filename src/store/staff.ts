import type { SqliteConnection } from "./client.js";
import type { StaffRole } from "./schema.js";

/** The `staff` table: who may act as staff from which platform account (src/staff/staff.ts decides what). */

interface StaffRow {
  platform: string;
  userId: string;
  role: StaffRole;
  addedAt: string;
  addedBy: string;
}

export function selectStaffRole(sqlite: SqliteConnection, platform: string, userId: string): StaffRole | undefined {
  return sqlite
    .prepare<[string, string], { role: StaffRole }>(
      "SELECT role FROM staff WHERE platform = ? AND platform_user_id = ?",
    )
    .get(platform, userId)?.role;
}

/** Adds the member, or changes the role of one already there (keeping when and by whom they were added). */
export function upsertStaff(sqlite: SqliteConnection, member: StaffRow): void {
  sqlite
    .prepare(
      `INSERT INTO staff (platform, platform_user_id, role, added_at, added_by) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (platform, platform_user_id) DO UPDATE SET role = excluded.role`,
    )
    .run(member.platform, member.userId, member.role, member.addedAt, member.addedBy);
}

export function deleteStaff(sqlite: SqliteConnection, platform: string, userId: string): void {
  sqlite.prepare("DELETE FROM staff WHERE platform = ? AND platform_user_id = ?").run(platform, userId);
}

/** Every staff member, by platform and user id. */
export function selectStaff(sqlite: SqliteConnection): StaffRow[] {
  return sqlite
    .prepare<[], StaffRow>(
      `SELECT platform, platform_user_id AS userId, role, added_at AS addedAt, added_by AS addedBy
       FROM staff ORDER BY platform, platform_user_id`,
    )
    .all();
}
