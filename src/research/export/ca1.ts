import { join } from "node:path";
import type { ChatMessage } from "../../core/study/schema.js";
import { assessmentRows, COL, demographicsOf, type RawRow } from "./assessment-rows.js";
import { cardFields } from "./card.js";
import { annotatorOf, countLanguages, type ExportContext, type ExportCounts, emptyCounts } from "./context.js";
import { opensOf, unacceptableLabels } from "./flat.js";
import { ratingFields, ratingLabels, ratingOptions } from "./ratings.js";
import { type TextFilter, textFilter } from "./redact.js";
import type { Scope } from "./scope.js";
import { openTextSink, type TextSink } from "./sink.js";

/**
 * The layout of OpenAI's public collective-alignment dataset (CA-1):
 *
 * - comparisons.jsonl: one line per prompt (scenario): `prompt_id`,
 *   `prompt.messages`, `responses[]` ({response_index A–D, messages:
 *   [{role: "assistant", content}]}) and `metadata.assessments[]`, one per
 *   annotator, each with `annotator_id` and `ranking_blocks` {world,
 *   personal, unacceptable}.
 * - annotators.jsonl: one line per annotator: `annotator_id`,
 *   `demographics` and the assessments they made (with `prompt_id`).
 * - merged_comparisons_annotators.jsonl: one line per prompt × annotator.
 *
 * Chorus adds fields the public files lack (study_id, shown_order, form,
 * timings, rationale languages, the card's layout and opens); consumers of
 * the public layout ignore them. The study's prompt ratings are top-level
 * keys of each assessment, as CA-1 has its importance and the like.
 * A prompt line holds all of its assessments; it is streamed piece by piece,
 * so even a scenario with 100,000 assessments is never one string in memory.
 */

export const CA1_FILES = {
  comparisons: "comparisons.jsonl",
  annotators: "annotators.jsonl",
  merged: "merged_comparisons_annotators.jsonl",
} as const;

interface PromptRecord {
  prompt: { messages: ChatMessage[] };
  responses: { response_index: string; messages: { role: "assistant"; content: string }[] }[];
  tags: string[];
}

/** Prompts and candidate responses of the studies in scope (small: one entry per scenario). */
function loadPrompts(context: ExportContext): Map<string, PromptRecord> {
  const prompts = new Map<string, PromptRecord>();
  const { scenarios, responses } = context.reads.prompts();
  for (const scenario of scenarios) {
    prompts.set(`${scenario.study_id}\u0000${scenario.id}`, {
      prompt: { messages: JSON.parse(scenario.messages) as ChatMessage[] },
      responses: [],
      tags: JSON.parse(scenario.tags) as string[],
    });
  }
  for (const response of responses) {
    prompts.get(`${response.study_id}\u0000${response.scenario_id}`)?.responses.push({
      response_index: response.label,
      messages: [{ role: "assistant", content: response.text }],
    });
  }
  return prompts;
}

function promptOf(prompts: Map<string, PromptRecord>, row: RawRow): PromptRecord {
  const key = `${row[COL.study_id]}\u0000${row[COL.scenario_id]}`;
  const prompt = prompts.get(key);
  if (!prompt) throw new Error(`assessment ${row[COL.assessment_id]} refers to a missing scenario`);
  return prompt;
}

function block(row: RawRow, prefix: "world" | "personal", text: TextFilter) {
  const ranking = row[COL[`${prefix}_ranking`]] as string | null;
  if (ranking === null) return [];
  return [
    {
      ranking,
      rationale: text(row[COL[`${prefix}_rationale`]]),
      rationale_language: row[COL[`${prefix}_rationale_language`]],
      rationale_language_confidence: row[COL[`${prefix}_rationale_confidence`]],
      ranked_at: row[COL[`${prefix}_ranked_at`]],
      rationale_at: row[COL[`${prefix}_rationale_at`]],
      rationale_parts: row[COL[`${prefix}_rationale_parts`]],
    },
  ];
}

type AssessmentRecordWriter = (row: RawRow, annotatorId: string, text: TextFilter) => Record<string, unknown>;

/**
 * One annotator's assessment of one prompt, as in `metadata.assessments[]`
 * (`text` filters the rationales): the CA-1 fields, each prompt rating of
 * the studies in scope (option id and label; ratings.ts), then Chorus's own.
 */
function assessmentRecords(scope: Scope): AssessmentRecordWriter {
  const ratings = ratingFields(scope);
  const optionsOf = ratingOptions(scope);
  const labelsOf = ratingLabels(scope);
  return (row, annotatorId, text) => {
    const labels = unacceptableLabels(row);
    const record: Record<string, unknown> = {
      annotator_id: annotatorId,
      assessment_id: row[COL.assessment_id],
      ranking_blocks: {
        world: block(row, "world", text),
        personal: block(row, "personal", text),
        unacceptable:
          labels && labels.length > 0
            ? [
                {
                  rating: labels.map((label) => `${label} is unacceptable`),
                  rationale: text(row[COL.unacceptable_rationale]),
                  rationale_language: row[COL.unacceptable_rationale_language],
                  rationale_language_confidence: row[COL.unacceptable_rationale_confidence],
                },
              ]
            : [],
      },
      unacceptable_asked: labels !== null,
    };
    if (ratings.length > 0) {
      const options = optionsOf(row[COL.ratings] as string | null);
      const optionLabels = labelsOf(row[COL.study_id] as string, options);
      ratings.forEach((rating, i) => {
        record[rating.key] = options[i];
        record[rating.labelKey] = optionLabels[i];
      });
    }
    return Object.assign(record, cardFields(row[COL.layout], opensOf(row)), {
      shown_order: row[COL.shown_order],
      form: row[COL.form],
      position: row[COL.position],
      ui_locale: row[COL.ui_locale],
      started_at: row[COL.started_at],
      reading_done_at: row[COL.reading_done_at],
      completed_at: row[COL.completed_at],
      reading_seconds: row[COL.reading_seconds],
      total_seconds: row[COL.total_seconds],
    });
  };
}

/** comparisons.jsonl and merged_comparisons_annotators.jsonl, in one pass ordered by scenario. */
async function writeComparisonsAndMerged(
  context: ExportContext,
  prompts: Map<string, PromptRecord>,
  comparisons: TextSink,
  merged: TextSink,
  counts: ExportCounts,
): Promise<void> {
  const text = textFilter(context.redact);
  counts.redactions = text.counts;
  const assessmentRecord = assessmentRecords(context.scope);
  let open: string | null = null;
  let first = true;
  for (const { row, participant } of assessmentRows(context, "scenario")) {
    const key = `${row[COL.study_id]}\u0000${row[COL.scenario_id]}`;
    const prompt = promptOf(prompts, row);
    if (key !== open) {
      if (open !== null) comparisons.write("]}}\n");
      open = key;
      first = true;
      counts.prompts++;
      const head = JSON.stringify({
        prompt_id: row[COL.scenario_id],
        study_id: row[COL.study_id],
        prompt: prompt.prompt,
        responses: prompt.responses,
      });
      const metadata = JSON.stringify({
        study_id: row[COL.study_id],
        scenario_id: row[COL.scenario_id],
        tags: prompt.tags,
      });
      comparisons.write(`${head.slice(0, -1)},"metadata":${metadata.slice(0, -1)},"assessments":[`);
    }
    const annotatorId = annotatorOf(context, row);
    const assessment = assessmentRecord(row, annotatorId, text);
    const waitComparisons = comparisons.write(`${first ? "" : ","}${JSON.stringify(assessment)}`);
    first = false;
    const { annotator_id: _, ...rest } = assessment;
    const waitMerged = merged.write(
      `${JSON.stringify({
        prompt_id: row[COL.scenario_id],
        study_id: row[COL.study_id],
        prompt: prompt.prompt,
        responses: prompt.responses,
        annotator_id: annotatorId,
        demographics: demographicsOf(participant, context.scope),
        declared_native_language: participant.declaredLanguage,
        platform: participant.platform,
        ...rest,
      })}\n`,
    );
    countLanguages(row, counts);
    counts.assessments++;
    if (waitComparisons) await waitComparisons;
    if (waitMerged) await waitMerged;
  }
  if (open !== null) comparisons.write("]}}\n");
}

/** annotators.jsonl: one pass ordered by participant, one line per annotator. */
async function writeAnnotators(context: ExportContext, annotators: TextSink, counts: ExportCounts): Promise<void> {
  // Its own filter: the counts reported are the first pass's, where each rationale is seen once.
  const text = textFilter(context.redact);
  const assessmentRecord = assessmentRecords(context.scope);
  let open: string | null = null;
  for (const { row, participant: info } of assessmentRows(context, "participant")) {
    const participant = row[COL.participant_id] as string;
    const annotatorId = annotatorOf(context, row);
    if (participant !== open) {
      if (open !== null) annotators.write("]}\n");
      open = participant;
      counts.annotators++;
      const head = JSON.stringify({
        annotator_id: annotatorId,
        demographics: demographicsOf(info, context.scope),
        declared_native_language: info.declaredLanguage,
        platform: info.platform,
        study_id: row[COL.study_id],
      });
      annotators.write(`${head.slice(0, -1)},"assessments":[`);
    } else {
      annotators.write(",");
    }
    const { annotator_id: _, ...assessment } = assessmentRecord(row, annotatorId, text);
    const wait = annotators.write(JSON.stringify({ prompt_id: row[COL.scenario_id], ...assessment }));
    if (wait) await wait;
  }
  if (open !== null) annotators.write("]}\n");
}

/** Writes the three CA-1 files into `folder`. Progress counts each assessment twice (two passes). */
export async function writeCa1(context: ExportContext, folder: string): Promise<ExportCounts> {
  const counts = emptyCounts();
  const prompts = loadPrompts(context);
  const comparisons = openTextSink(join(folder, CA1_FILES.comparisons));
  const merged = openTextSink(join(folder, CA1_FILES.merged));
  const annotators = openTextSink(join(folder, CA1_FILES.annotators));
  try {
    await writeComparisonsAndMerged(context, prompts, comparisons, merged, counts);
    await writeAnnotators(context, annotators, counts);
  } finally {
    await Promise.all([comparisons.end(), merged.end(), annotators.end()]);
  }
  counts.rows = counts.assessments;
  return counts;
}
