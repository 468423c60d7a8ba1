import { z } from "zod";

/**
 * Who a broadcast goes to. Stored as JSON on the broadcast row; `create`
 * turns it into one delivery row per matching participant (the outbox).
 *
 * Never matched, whatever the filter: participants who have not consented,
 * or who are paused, declined, screened out or unreachable (withdrawn ones
 * no longer exist), and terminal-pilot (console) participants.
 */
export const MESSAGEABLE_STATUSES = ["active", "completed", "quota_full"] as const;
export const DEFAULT_STATUSES = ["active", "completed"] as const;
export const BROADCAST_PLATFORMS = ["telegram", "slack"] as const;

/** The profile question id the `countries` filter reads (the sample study's country of residence). */
export const COUNTRY_QUESTION_ID = "country_of_residence";

export const BroadcastFilterSchema = z.object({
  studyId: z.string().min(1),
  platforms: z.array(z.enum(BROADCAST_PLATFORMS)).min(1).optional(),
  statuses: z.array(z.enum(MESSAGEABLE_STATUSES)).min(1).optional(),
  locales: z.array(z.string().min(1)).min(1).optional(),
  /** Country of residence codes as stored (ISO 3166-1 alpha-2, e.g. KE). */
  countries: z.array(z.string().min(1)).min(1).optional(),
  /** Only participants who have not completed their scenarios. */
  notFinished: z.boolean().optional(),
  /**
   * Only participants who can start new scenarios now: they finished their
   * batch (or were told none were available) and at least one of the
   * study's scenarios was never assigned to them. Implied by a start button.
   */
  canStartMore: z.boolean().optional(),
});
export type BroadcastFilter = z.infer<typeof BroadcastFilterSchema>;

/** One line describing a filter, for previews, status and the audit log. */
export function describeFilter(filter: BroadcastFilter): string {
  const parts = [`study ${filter.studyId}`];
  parts.push(`platform ${(filter.platforms ?? BROADCAST_PLATFORMS).join("|")}`);
  parts.push(`status ${(filter.statuses ?? DEFAULT_STATUSES).join("|")}`);
  if (filter.locales) parts.push(`locale ${filter.locales.join("|")}`);
  if (filter.countries) parts.push(`country ${filter.countries.join("|")}`);
  if (filter.notFinished) parts.push("not finished");
  if (filter.canStartMore) parts.push("can start new scenarios");
  return parts.join(", ");
}
