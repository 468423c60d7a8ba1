import {
  BroadcastError,
  cancelBroadcast,
  createBroadcast,
  previewBroadcast,
  startSending,
} from "../broadcast/outbox.js";
import type { I18n } from "../i18n/index.js";
import { sendingBroadcastIds, unconfirmedKeyDrafts } from "../store/broadcasts.js";
import type { SqliteConnection } from "../store/client.js";
import { newcomerStudyId } from "../store/stored-study.js";
import { studyStatus } from "../store/study-status.js";
import { recordAudit, staffActor } from "./audit.js";
import { can, type StaffPermission, type StaffRef, staffRole } from "./staff.js";
import { computeStats, type StudyStats } from "./stats.js";

/**
 * Staff actions from inside a chat, shared by the Telegram and Slack
 * adapters (which only render the answers): stats, and "tell everyone who
 * can start the new scenarios", in two steps: a preview with an explicit
 * confirm button, then the confirm. Every step re-checks the role (a button
 * can be pressed long after it was shown), is audited with the platform as
 * origin, and answers in the staff member's language. Someone without the
 * role is told "not allowed" and nothing is written.
 */

/** The message key a chat broadcast sends: it names the study and comes with the start button. */
const CHAT_BROADCAST_KEY = "broadcast.new_scenarios";

export type ChatBroadcastPreview =
  | { kind: "refused"; text: string }
  | {
      kind: "preview";
      broadcastId: number;
      /** The whole preview: who gets it, and the message as the staff member's language shows it. */
      text: string;
      confirmLabel: string;
      cancelLabel: string;
    };

export interface StaffChat {
  /** Whether this platform user may do this (for adapters that hide staff commands from others). */
  allowed(ref: StaffRef, permission: StaffPermission): boolean;
  /** Study stats as text (participants by status, assessments per scenario, quota cells), audited. */
  stats(ref: StaffRef, locale: string): { allowed: boolean; text: string };
  /** Writes a draft broadcast of the published (or named) study's new scenarios, and its preview. */
  prepareBroadcast(ref: StaffRef, locale: string, studyId?: string): ChatBroadcastPreview;
  /** The explicit confirm: starts sending (a worker in a running process sends it). */
  confirmBroadcast(ref: StaffRef, locale: string, broadcastId: number): { text: string };
  cancelBroadcast(ref: StaffRef, locale: string, broadcastId: number): { text: string };
}

export function createStaffChat(deps: { sqlite: SqliteConnection; i18n: I18n; now?: () => Date }): StaffChat {
  const { sqlite, i18n } = deps;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const say = (locale: string, key: string, params: Record<string, string | number> = {}) =>
    i18n.render(locale, { key: `coordinator.${key}`, params });
  const allowed = (ref: StaffRef, permission: StaffPermission) => can(staffRole(sqlite, ref), permission);
  const actorOf = (ref: StaffRef) => staffActor(ref.platform, ref.userId);

  function publishedStudy(studyId: string | undefined): { id: string } | { problem: "no_study" | "unknown_study" } {
    const id = studyId ?? newcomerStudyId(sqlite);
    const status = id === undefined ? undefined : studyStatus(sqlite, id);
    if (id === undefined || status === undefined) return { problem: studyId ? "unknown_study" : "no_study" };
    if (status !== "published") return { problem: "no_study" };
    return { id };
  }

  function statsText(locale: string, stats: StudyStats[]): string {
    if (stats.length === 0) return i18n.render(locale, { key: "staff.stats_none" });
    const blocks = stats.map((study) => {
      const lines = [i18n.render(locale, { key: "staff.stats_study", params: { study: { verbatim: study.id } } })];
      for (const [status, count] of Object.entries(study.participants.byStatus)) {
        if (count > 0) {
          lines.push(
            i18n.render(locale, {
              key: "staff.stats_line",
              params: { status: { key: `staff.status.${status}` }, count },
            }),
          );
        }
      }
      lines.push(i18n.render(locale, { key: "staff.stats_assessments", params: { count: study.assessments } }));
      if (study.scenarios.length > 0) {
        lines.push(say(locale, "stats_scenarios"));
        for (const scenario of study.scenarios) lines.push(`  ${scenario.id}: ${scenario.assessments}`);
      }
      if (study.quota && study.quota.cells.length > 0) {
        lines.push(say(locale, "stats_quota"));
        for (const cell of study.quota.cells) {
          const name = Object.values(cell.cell).join(" × ");
          lines.push(
            `  ${say(locale, "stats_quota_cell", {
              cell: name,
              count: cell.count,
              target: cell.target ?? "∞",
              full: cell.full ? say(locale, "stats_full") : "",
            })}`,
          );
        }
      }
      return lines.join("\n");
    });
    const sending = sendingBroadcastIds(sqlite);
    if (sending.length > 0) {
      blocks.push(say(locale, "stats_broadcasts", { list: sending.map((id) => `#${id}`).join(", ") }));
    }
    return [i18n.render(locale, { key: "staff.stats_title" }), ...blocks].join("\n\n");
  }

  return {
    allowed,

    stats(ref, locale) {
      if (!allowed(ref, "stats")) return { allowed: false, text: i18n.render(locale, { key: "staff.not_allowed" }) };
      recordAudit(sqlite, actorOf(ref), "stats.view", {}, now());
      return { allowed: true, text: statsText(locale, computeStats(sqlite)) };
    },

    prepareBroadcast(ref, locale, studyId) {
      if (!allowed(ref, "broadcast")) return { kind: "refused", text: say(locale, "not_allowed") };
      const study = publishedStudy(studyId);
      if ("problem" in study) {
        return { kind: "refused", text: say(locale, study.problem, { study: studyId ?? "" }) };
      }
      // A new preview replaces this staff member's earlier unconfirmed ones for the study, so two
      // previews confirmed one after the other cannot send the same people the message twice.
      for (const draft of unconfirmedKeyDrafts(sqlite, study.id, actorOf(ref).id)) {
        cancelBroadcast(sqlite, draft, actorOf(ref), now());
      }
      let created: ReturnType<typeof createBroadcast>;
      try {
        created = createBroadcast(
          { sqlite, i18n },
          { filter: { studyId: study.id }, messageKey: CHAT_BROADCAST_KEY, withStartButton: true },
          actorOf(ref),
          now(),
        );
      } catch (error) {
        if (error instanceof BroadcastError && error.code === "empty") {
          return { kind: "refused", text: say(locale, "nobody", { study: study.id }) };
        }
        throw error;
      }
      const preview = previewBroadcast({ sqlite, i18n }, created.id);
      const platforms = [...new Set(preview.recipients.map((r) => r.platform))]
        .map((platform) => {
          const count = preview.recipients.filter((r) => r.platform === platform).reduce((sum, r) => sum + r.count, 0);
          return `${platform} ${count}`;
        })
        .join(", ");
      const sampleLocale = preview.samples.some((sample) => sample.locale === locale)
        ? locale
        : (preview.samples[0]?.locale ?? locale);
      const sample = preview.samples.find((entry) => entry.locale === sampleLocale);
      const text = [
        say(locale, "preview_title", { id: created.id, count: created.total, study: study.id, platforms }),
        say(locale, "preview_message", { locale: sampleLocale }),
        `“${sample?.text ?? ""}”`,
      ].join("\n\n");
      return {
        kind: "preview",
        broadcastId: created.id,
        text,
        confirmLabel: say(locale, "confirm", { count: created.total }),
        cancelLabel: say(locale, "cancel"),
      };
    },

    confirmBroadcast(ref, locale, broadcastId) {
      if (!allowed(ref, "broadcast")) return { text: say(locale, "not_allowed") };
      try {
        const { resumed, summary } = startSending(sqlite, broadcastId, actorOf(ref), now());
        if (resumed) return { text: say(locale, "already_sending", { id: broadcastId }) };
        return { text: say(locale, "started", { id: broadcastId, count: summary.total }) };
      } catch (error) {
        if (!(error instanceof BroadcastError)) throw error;
        if (error.code === "already_sent") return { text: say(locale, "already_sent", { id: broadcastId }) };
        if (error.code === "cancelled") return { text: say(locale, "already_cancelled", { id: broadcastId }) };
        throw error;
      }
    },

    cancelBroadcast(ref, locale, broadcastId) {
      if (!allowed(ref, "broadcast")) return { text: say(locale, "not_allowed") };
      try {
        const summary = cancelBroadcast(sqlite, broadcastId, actorOf(ref), now());
        const sent = summary.deliveries.sent;
        if (sent > 0) return { text: say(locale, "stopped", { id: broadcastId, sent }) };
        return { text: say(locale, "cancelled", { id: broadcastId }) };
      } catch (error) {
        if (error instanceof BroadcastError && error.code === "already_sent") {
          return { text: say(locale, "already_sent", { id: broadcastId }) };
        }
        throw error;
      }
    },
  };
}
