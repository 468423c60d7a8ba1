import { Composer } from "grammy";
import { PARTICIPANT_STATUSES } from "../../core/flow/effects.js";
import type { Text } from "../../core/flow/prompts.js";
import type { ChorusContext } from "../context.js";
import type { FeatureDeps, SurveyStats } from "../deps.js";

/** `/stats` for staff (the staff table, platform telegram): participants by status and assessments. */
export function statsFeature(deps: FeatureDeps): Composer<ChorusContext> {
  const composer = new Composer<ChorusContext>();
  composer.chatType("private").command("stats", async (ctx) => {
    const locale = deps.locales.localeFor(ctx.from.id, ctx.from.language_code);
    const t = (text: Text) => deps.render(locale, text);
    // With the staff chat service: quota cells and scenarios too, and the view is audited.
    const staff = deps.staffChat?.stats({ platform: "telegram", userId: String(ctx.from.id) }, locale);
    const allowed = staff ? staff.allowed : deps.store.isStaff(String(ctx.from.id));
    ctx.log.info({ allowed }, "/stats");
    const text = staff ? staff.text : allowed ? statsText(deps.store.stats(), t) : t({ key: "staff.not_allowed" });
    await ctx.api.sendMessage(ctx.chat.id, text, { link_preview_options: { is_disabled: true } });
  });
  return composer;
}

export function statsText(stats: SurveyStats, t: (text: Text) => string): string {
  if (stats.studies.length === 0) return t({ key: "staff.stats_none" });
  const blocks = stats.studies.map((study) => {
    const lines = [t({ key: "staff.stats_study", params: { study: { verbatim: study.studyId } } })];
    for (const status of PARTICIPANT_STATUSES) {
      const count = study.byStatus[status];
      if (count)
        lines.push(t({ key: "staff.stats_line", params: { status: { key: `staff.status.${status}` }, count } }));
    }
    lines.push(t({ key: "staff.stats_assessments", params: { count: study.assessments } }));
    return lines.join("\n");
  });
  return [t({ key: "staff.stats_title" }), ...blocks].join("\n\n");
}
