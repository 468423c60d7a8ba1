import { LABELS } from "../../core/labels.js";
import { OPENS_COLUMNS } from "./card.js";
import { ratingFields } from "./ratings.js";
import type { Scope } from "./scope.js";

/**
 * The schema of every hf config, written into the dataset card as
 * `dataset_info[].features` in the YAML form Hugging Face `datasets` reads
 * (a list of `{name, dtype}`, `{name, struct: [...]}` or `{name, list: ...}`).
 * Declared types make `load_dataset` cast every chunk of a JSON Lines file to
 * one schema; without them it infers the schema from the first chunk, and a
 * later chunk that has, say, the first personal ranking or the first non-null
 * confidence no longer fits.
 *
 * The shapes mirror what ca1.ts, flat.ts and flat-writers.ts write; the hf
 * test checks every written record against them.
 */

type Dtype = "string" | "int64" | "float64" | "bool";
export type Feature = { dtype: Dtype } | { struct: Field[] } | { list: Feature };
export interface Field {
  name: string;
  feature: Feature;
}

const string: Feature = { dtype: "string" };
const int64: Feature = { dtype: "int64" };
const float64: Feature = { dtype: "float64" };
const bool: Feature = { dtype: "bool" };
const listOf = (feature: Feature): Feature => ({ list: feature });
const struct = (fields: [string, Feature][]): Feature => ({
  struct: fields.map(([name, feature]) => ({ name, feature })),
});

const MESSAGE = struct([
  ["role", string],
  ["content", string],
]);
const RANKING_ENTRY = struct([
  ["ranking", string],
  ["rationale", string],
  ["rationale_language", string],
  ["rationale_language_confidence", float64],
  ["ranked_at", string],
  ["rationale_at", string],
  ["rationale_parts", int64],
]);
const UNACCEPTABLE_ENTRY = struct([
  ["rating", listOf(string)],
  ["rationale", string],
  ["rationale_language", string],
  ["rationale_language_confidence", float64],
]);

/** The assessment fields after `annotator_id` (as assessmentRecords in ca1.ts writes them). */
function assessmentFields(scope: Scope): [string, Feature][] {
  return [
    ["assessment_id", int64],
    [
      "ranking_blocks",
      struct([
        ["world", listOf(RANKING_ENTRY)],
        ["personal", listOf(RANKING_ENTRY)],
        ["unacceptable", listOf(UNACCEPTABLE_ENTRY)],
      ]),
    ],
    ["unacceptable_asked", bool],
    ...ratingFields(scope).flatMap((rating): [string, Feature][] => [
      [rating.key, string],
      [rating.labelKey, string],
    ]),
    ["layout", string],
    ["opens", struct(LABELS.map((label): [string, Feature] => [label, int64]))],
    ["ranked_without_opening_all", bool],
    ...CONTEXT_FIELDS,
  ];
}

const CONTEXT_FIELDS: [string, Feature][] = [
  ["shown_order", string],
  ["form", string],
  ["position", int64],
  ["ui_locale", string],
  ["started_at", string],
  ["reading_done_at", string],
  ["completed_at", string],
  ["reading_seconds", float64],
  ["total_seconds", float64],
];

const PROMPT_FIELDS: [string, Feature][] = [
  ["prompt_id", string],
  ["study_id", string],
  ["prompt", struct([["messages", listOf(MESSAGE)]])],
  [
    "responses",
    listOf(
      struct([
        ["response_index", string],
        ["messages", listOf(MESSAGE)],
      ]),
    ),
  ],
];

function participantFields(scope: Scope): [string, Feature][] {
  return [
    ["demographics", struct(scope.profile.map((question): [string, Feature] => [question.id, string]))],
    ["declared_native_language", string],
    ["platform", string],
  ];
}

export function comparisonsFeatures(scope: Scope): Field[] {
  const metadata = struct([
    ["study_id", string],
    ["scenario_id", string],
    ["tags", listOf(string)],
    ["assessments", listOf(struct([["annotator_id", string], ...assessmentFields(scope)]))],
  ]);
  return fields([...PROMPT_FIELDS, ["metadata", metadata]]);
}

export function annotatorsFeatures(scope: Scope): Field[] {
  return fields([
    ["annotator_id", string],
    ...participantFields(scope),
    ["study_id", string],
    ["assessments", listOf(struct([["prompt_id", string], ...assessmentFields(scope)]))],
  ]);
}

export function mergedFeatures(scope: Scope): Field[] {
  return fields([...PROMPT_FIELDS, ["annotator_id", string], ...participantFields(scope), ...assessmentFields(scope)]);
}

/** The flat table: typed as the Parquet export types it (timestamps stay ISO strings in JSON). */
export function flatFeatures(columns: readonly string[]): Field[] {
  const typed: Record<string, Feature> = {
    assessment_id: int64,
    position: int64,
    rationale_language_confidence: float64,
    reading_seconds: float64,
    total_seconds: float64,
    rationale_parts: int64,
    ...Object.fromEntries(OPENS_COLUMNS.map((name) => [name, int64])),
    ranked_without_opening_all: bool,
  };
  return columns.map((name) => ({ name, feature: typed[name] ?? string }));
}

export function pairFeatures(columns: readonly string[]): Field[] {
  return columns.map((name) => ({ name, feature: name === "assessment_id" ? int64 : string }));
}

function fields(entries: [string, Feature][]): Field[] {
  return entries.map(([name, feature]) => ({ name, feature }));
}

/** A feature in the card's YAML form: lists of structs and of plain values are simplified as `datasets` writes them. */
function yamlFeature(feature: Feature): Record<string, unknown> {
  if ("dtype" in feature) return { dtype: feature.dtype };
  if ("struct" in feature) return { struct: yamlFields(feature.struct) };
  const inner = feature.list;
  if ("dtype" in inner) return { list: inner.dtype };
  if ("struct" in inner) return { list: yamlFields(inner.struct) };
  return { list: yamlFeature(inner) };
}

export function yamlFields(list: readonly Field[]): Record<string, unknown>[] {
  return list.map((field) => ({ name: field.name, ...yamlFeature(field.feature) }));
}

/** An empty struct cannot be stored by Arrow writers: such a config is left for `datasets` to infer. */
export function hasEmptyStruct(list: readonly Field[]): boolean {
  const check = (feature: Feature): boolean =>
    "struct" in feature
      ? feature.struct.length === 0 || feature.struct.some((field) => check(field.feature))
      : "list" in feature
        ? check(feature.list)
        : false;
  return list.some((field) => check(field.feature));
}
