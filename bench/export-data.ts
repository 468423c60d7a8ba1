/**
 * Generates the research benchmark database: the sample study with
 * ASSESSMENTS completed assessments (default 1,000,000) from ASSESSMENTS / 4
 * participants, written by direct inserts in one transaction (the engine
 * would take hours). Rankings, ties, timings, rationales (with commas,
 * quotes, new lines and some non-Latin scripts), profile answers and
 * unacceptable flags are drawn from a seeded generator, so every run builds
 * the same file. The survey card's records (layout, opens per response,
 * rationale parts) come from a second generator, so the rest is the same
 * data as before cards.
 */
import { rmSync } from "node:fs";
import { createPrng } from "../src/research/analysis/prng.js";
import { WEAK_ORDERS } from "../src/research/analysis/weak-orders.js";
import { rationaleWeight, readingSecondsSql } from "../src/store/answer-measures.js";
import { openDatabase } from "../src/store/client.js";
import { importStudy, publishStudy } from "../src/store/study-repository.js";
import { loadStudyFile } from "../src/studies/load.js";

const WORDS =
  "the response is clear honest helpful but it should mention risks and be more careful about safety while respecting the person's choice because people deserve accurate information without being lectured".split(
    " ",
  );
const OTHER_SCRIPTS = [
  "यह उत्तर सबसे अधिक सहायक और ईमानदार है, लेकिन इसमें जोखिमों का उल्लेख होना चाहिए।",
  "この回答は正直で役に立ちますが、危険性についても触れるべきです。",
  "هذه الإجابة صادقة ومفيدة، لكنها يجب أن تذكر المخاطر بوضوح.",
  "Jibu hili ni la kweli na lenye msaada, lakini linapaswa kutaja hatari.",
];

interface GenerateOptions {
  file: string;
  assessments: number;
  seed?: number;
}

export function generateBenchDatabase(options: GenerateOptions): { participants: number; assessments: number } {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(options.file + suffix, { force: true });
  const database = openDatabase(options.file);
  const { sqlite } = database;
  // A throwaway file: no journal while generating (back to WAL at the end), so a million rows take minutes, not ten.
  sqlite.pragma("journal_mode = OFF");
  sqlite.pragma("synchronous = OFF");
  const loaded = loadStudyFile(new URL("../studies/sample.yaml", import.meta.url).pathname);
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const study = loaded.study;
  const at0 = Date.UTC(2026, 0, 1);
  importStudy(database.db, study, { at: new Date(at0).toISOString() });
  publishStudy(database.db, study.id, new Date(at0).toISOString());

  const prng = createPrng(options.seed ?? 2026);
  const cardPrng = createPrng((options.seed ?? 2026) + 1);
  // Four in five cards paged; on a paged card the first response is open, each other one unopened 1 time in 10.
  const card = () => {
    if (cardPrng.next() < 0.2) return { layout: "all", opens: { A: 1, B: 1, C: 1, D: 1 } };
    const count = () => (cardPrng.next() < 0.1 ? 0 : 1 + cardPrng.int(3));
    return { layout: "paged", opens: { A: 1 + cardPrng.int(3), B: count(), C: count(), D: count() } };
  };
  const pick = <T>(items: readonly T[]): T => items[prng.int(items.length)] as T;
  const scenarios = study.scenarios.map((s) => s.id);
  const perParticipant = Math.min(4, scenarios.length);
  const participants = Math.ceil(options.assessments / perParticipant);
  // Rankings lean towards each scenario's reference order, with noise and ties, as real ones do.
  const strictOrders = WEAK_ORDERS.filter((o) => o.ranking.length === 4).map((o) => o.text);
  const shownOrders = strictOrders.map((text) => text.replaceAll(">", ""));
  const tiedOrders = WEAK_ORDERS.filter((o) => o.ranking.length < 4).map((o) => o.text);
  const rankingFor = (scenario: number) => {
    const r = prng.next();
    const reference = study.scenarios[scenario]?.referenceRanking;
    if (reference && r < 0.35) return reference;
    return r < 0.85 ? pick(strictOrders) : pick(tiedOrders);
  };
  const rationale = () => {
    if (prng.next() < 0.1) return pick(OTHER_SCRIPTS);
    const words = Array.from({ length: 8 + prng.int(30) }, () => pick(WORDS));
    let text = words.join(" ");
    if (prng.next() < 0.3) text = text.replace(" but ", ', "but" ');
    if (prng.next() < 0.05) text += "\nAlso: see above.";
    return `${text[0]?.toUpperCase()}${text.slice(1)}.`;
  };
  const profileValue = (question: (typeof study.profile)[number]) =>
    prng.next() < 0.05 ? null : (pick(question.options).id as string);
  const iso = (ms: number) => new Date(ms).toISOString();

  const insertParticipant = sqlite.prepare(
    `INSERT INTO participants (id, platform, platform_user_id, study_id, locale, status, source, consent_version,
       consented_at, admitted_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'completed', 'bench', ?, ?, ?, ?, ?)`,
  );
  const insertProfile = sqlite.prepare(
    "INSERT INTO profile_answers (participant_id, question_id, value, answered_at) VALUES (?, ?, ?, ?)",
  );
  const insertAssignment = sqlite.prepare(
    `INSERT INTO assignments (participant_id, study_id, scenario_id, position, shown_order, form, assigned_at,
       started_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAssessment = sqlite.prepare(
    `INSERT INTO assessments (assignment_id, participant_id, study_id, scenario_id, locale, started_at, reading_done_at,
       completed_at, unacceptable_labels, unacceptable_rationale, unacceptable_rationale_language,
       unacceptable_rationale_confidence, layout, opens, unacceptable_rationale_weight, reading_seconds)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${readingSecondsSql("?", "?")})`,
  );
  const insertBlock = sqlite.prepare(
    `INSERT INTO ranking_blocks (assessment_id, block, ranking, rationale, rationale_language, rationale_confidence,
       ranked_at, rationale_at, rationale_parts, rationale_weight) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const locales = ["en", "en", "en", "es", "pt", "hi", "ja", "ar", "sw", "nl"];
  let written = 0;
  sqlite.transaction(() => {
    for (let p = 0; p < participants && written < options.assessments; p++) {
      const id = `bench-${p.toString(36).padStart(6, "0")}-${prng.int(1e9).toString(36)}`;
      const start = at0 + p * 9_000;
      const locale = pick(locales);
      insertParticipant.run(
        id,
        p % 3 === 0 ? "slack" : "telegram",
        String(10_000_000 + p),
        study.id,
        locale,
        study.consent.version,
        iso(start),
        iso(start + 60_000),
        iso(start),
        iso(start + 3_600_000),
      );
      for (const question of study.profile)
        insertProfile.run(id, question.id, profileValue(question), iso(start + 30_000));
      const chosen = new Set<number>();
      while (chosen.size < perParticipant) chosen.add(prng.int(scenarios.length));
      let position = 0;
      let clock = start + 120_000;
      for (const scenario of chosen) {
        if (written >= options.assessments) break;
        const form = position === 0 ? "long" : "short";
        const shown = pick(shownOrders);
        const started = clock;
        const readingDone = started + 2_000 + prng.int(90_000);
        const completed = readingDone + 20_000 + prng.int(180_000);
        const assignment = insertAssignment.run(
          id,
          study.id,
          scenarios[scenario],
          position,
          shown,
          form,
          iso(start + 110_000),
          iso(started),
          iso(completed),
        );
        const flagged = form === "long" ? (prng.next() < 0.3 ? ["C"] : []) : null;
        const { layout, opens } = card();
        const unacceptableText = flagged && flagged.length > 0 ? rationale() : null;
        // The measures the store keeps when it records an answer, computed the same way.
        const assessment = insertAssessment.run(
          assignment.lastInsertRowid,
          id,
          study.id,
          scenarios[scenario],
          locale,
          iso(started),
          iso(readingDone),
          iso(completed),
          flagged ? JSON.stringify(flagged) : null,
          unacceptableText,
          unacceptableText === null ? null : "en",
          unacceptableText === null ? null : 0.9,
          layout,
          JSON.stringify(opens),
          rationaleWeight(unacceptableText),
          iso(readingDone),
          iso(started),
        );
        const blocks = form === "long" ? ["world", "personal"] : ["world"];
        blocks.forEach((block, i) => {
          const ranking = rankingFor(scenario);
          const text = rationale();
          insertBlock.run(
            assessment.lastInsertRowid,
            block,
            ranking,
            text,
            locale === "en" ? "en" : pick(["en", locale]),
            Math.round(prng.next() * 1000) / 1000,
            iso(readingDone + 10_000 * (i + 1)),
            iso(readingDone + 15_000 * (i + 1)),
            cardPrng.next() < 0.15 ? 2 : 1,
            rationaleWeight(text),
          );
        });
        written++;
        position++;
        clock = completed + 5_000;
      }
    }
  })();
  sqlite.exec("ANALYZE");
  sqlite.pragma("journal_mode = WAL");
  database.close();
  return { participants, assessments: written };
}
