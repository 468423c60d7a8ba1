import type { AssessmentRecord } from "../../src/core/flow/effects.js";
import type { Label } from "../../src/core/labels.js";
import type { Platform } from "../../src/core/ports.js";
import { type Study, StudySchema } from "../../src/core/study/schema.js";
import { importStudy, publishStudy } from "../../src/store/study-repository.js";
import { createSurveyStore } from "../../src/store/survey-store.js";
import { loadMiniStudy, type TestDatabase } from "../helpers/db.js";

/**
 * A small research dataset written through the real store (the same
 * effects the engine applies): the mini study plus a native-language
 * question, four participants, one of whom withdraws afterwards.
 *
 * Rationales exercise CSV and JSON escaping: commas, double quotes, new
 * lines, emoji and right-to-left (Arabic) text.
 *
 * The study asks two prompt ratings (importance on every form, subjectivity
 * on the long form). Three assessments come from survey cards (layout,
 * opens, ratings, rationale parts): one paged card with every response
 * opened, one with all four on the card, one paged card ranked with B and C
 * never opened; the other two are rows from before cards (all NULL).
 */

export const SECRET = "research-test-secret-0123456789";

export const RATIONALES = {
  p1World: 'D is best, because it\'s "practical"; A is honest,\nbut vague. 🙂',
  p1Personal: "Personally I like short, direct answers — 👍, really.",
  p1Unacceptable: "C dismisses the question, which is rude.",
  p1Headache: 'B is safe and helpful; A is "dangerous" advice.',
  p2World: "الإجابة د عملية أكثر، والإجابة أ صادقة لكنها غامضة.",
  p2Personal: "Prefiero la respuesta D: es práctica, clara y honesta.",
  p2Attention: "Four is the right answer, obviously so.",
  p3Attention: "I was going fast here, sorry about that.",
  p3Personal: "Whatever\nthey all look about the same to me",
  withdrawn: "WITHDRAWN-PARTICIPANT-RATIONALE should never be exported.",
} as const;

export const PROMPT_RATINGS = [
  {
    id: "importance",
    label: { en: "Importance", es: "Importancia" },
    text: {
      en: "How important is it that an AI answers this well?",
      es: "¿Qué tan importante es que una IA responda bien a esto?",
    },
    options: [
      { id: "1", text: { en: "Not important", es: "Nada importante" } },
      { id: "2", text: { en: "Somewhat important", es: "Algo importante" } },
      { id: "3", text: { en: "Very important", es: "Muy importante" } },
    ],
  },
  {
    id: "subjectivity",
    text: "How much is the best answer a matter of opinion?",
    options: [
      { id: "low", text: "Mostly a matter of fact" },
      { id: "high", text: "Mostly a matter of opinion" },
    ],
    forms: ["long"],
  },
];

export interface Seeded {
  study: Study;
  participants: { p1: string; p2: string; p3: string };
  withdrawn: string;
  platformUserIds: string[];
}

function researchStudy(): Study {
  const mini = loadMiniStudy();
  return StudySchema.parse({
    ...mini,
    profile: [
      ...mini.profile,
      { id: "native_language", kind: "language", text: "What is your native language?", options: [] },
    ],
    promptRatings: PROMPT_RATINGS,
  });
}

function rationale(text: string, language: string | null, confidence: number | null) {
  return { text, detectedLanguage: language, detectedConfidence: confidence };
}

function at(minute: number, second = 0): string {
  return new Date(Date.UTC(2026, 1, 1, 10, minute, second)).toISOString();
}

export function seedResearchData(database: TestDatabase): Seeded {
  const study = researchStudy();
  importStudy(database.db, study, { at: at(0) });
  publishStudy(database.db, study.id, at(0));
  const store = createSurveyStore(database);

  function participant(
    id: string,
    platform: Platform,
    platformUserId: string,
    locale: string,
    profile: Record<string, string | null>,
  ): string {
    store.createParticipant({
      id,
      platform,
      platformUserId,
      studyId: study.id,
      locale,
      status: "active",
      source: "test",
      createdAt: at(1),
    });
    store.applyEffect(id, { type: "consent_given", consentVersion: study.consent.version, at: at(1) });
    for (const [questionId, value] of Object.entries(profile)) {
      store.applyEffect(id, { type: "profile_answered", questionId, value, at: at(2) });
    }
    store.applyEffect(id, { type: "admitted", at: at(2) });
    return id;
  }

  function assess(id: string, record: Omit<AssessmentRecord, "blocks" | "unacceptable"> & Partial<AssessmentRecord>) {
    store.applyEffect(id, {
      type: "assessment_recorded",
      assessment: { blocks: [], unacceptable: null, ...record },
    });
  }

  const p1 = participant("p-one", "telegram", "71000001", "en", {
    age_band: "18-29",
    country_of_residence: "US",
    native_language: "en",
  });
  store.applyEffect(p1, {
    type: "assignments_created",
    assignments: [
      { scenarioId: "weather", position: 0, shownOrder: "CADB", form: "long" },
      { scenarioId: "headache", position: 1, shownOrder: "ABCD", form: "short" },
    ],
    at: at(3),
  });
  assess(p1, {
    position: 0,
    scenarioId: "weather",
    shownOrder: "CADB",
    form: "long",
    startedAt: at(3),
    readingDoneAt: at(3, 40),
    completedAt: at(6),
    locale: "en",
    layout: "paged",
    opens: { A: 2, B: 1, C: 1, D: 3 },
    ratings: { importance: "3", subjectivity: "high" },
    blocks: [
      {
        block: "world",
        ranking: "D>A>B>C",
        rationale: rationale(RATIONALES.p1World, "en", 0.97),
        rationaleParts: 2,
        rankedAt: at(4),
        rationaleAt: at(5),
      },
      {
        block: "personal",
        ranking: "A>D>B>C",
        rationale: rationale(RATIONALES.p1Personal, "en", 0.9),
        rationaleParts: 1,
        rankedAt: at(5, 20),
        rationaleAt: at(5, 40),
      },
    ],
    unacceptable: { labels: ["C"] as Label[], rationale: rationale(RATIONALES.p1Unacceptable, "en", 0.95) },
  });
  assess(p1, {
    position: 1,
    scenarioId: "headache",
    shownOrder: "ABCD",
    form: "short",
    startedAt: at(7),
    readingDoneAt: at(7, 30),
    completedAt: at(9),
    locale: "en",
    layout: "all",
    opens: { A: 1, B: 1, C: 1, D: 1 },
    ratings: { importance: "2" },
    blocks: [
      {
        block: "world",
        ranking: "B>C>D>A",
        rationale: rationale(RATIONALES.p1Headache, "en", 0.99),
        rationaleParts: 1,
        rankedAt: at(8),
        rationaleAt: at(8, 50),
      },
    ],
  });

  const p2 = participant("p-two", "slack", "U0SLACK02", "es", {
    age_band: "30-49",
    country_of_residence: "MX",
    native_language: "es",
  });
  assess(p2, {
    position: 0,
    scenarioId: "weather",
    shownOrder: "DCBA",
    form: "long",
    startedAt: at(10),
    readingDoneAt: at(10, 50),
    completedAt: at(14),
    locale: "es",
    // Ranked with B and C never opened.
    layout: "paged",
    opens: { A: 1, B: 0, C: 0, D: 2 },
    ratings: { importance: "1", subjectivity: "low" },
    blocks: [
      {
        block: "world",
        ranking: "A=D>B>C",
        rationale: rationale(RATIONALES.p2World, "ar", 0.88),
        rationaleParts: 3,
        rankedAt: at(11),
        rationaleAt: at(12),
      },
      {
        block: "personal",
        ranking: "D>A>C>B",
        rationale: rationale(RATIONALES.p2Personal, "es", 0.93),
        rationaleParts: 1,
        rankedAt: at(12, 30),
        rationaleAt: at(13),
      },
    ],
    unacceptable: { labels: [], rationale: null },
  });
  assess(p2, {
    position: 1,
    scenarioId: "attention",
    shownOrder: "BADC",
    form: "short",
    startedAt: at(15),
    readingDoneAt: at(15, 20),
    completedAt: at(16),
    locale: "es",
    blocks: [
      {
        block: "world",
        ranking: "A>B>C>D",
        rationale: rationale(RATIONALES.p2Attention, "en", 0.8),
        rankedAt: at(15, 40),
        rationaleAt: at(15, 55),
      },
    ],
  });

  // A speeder (4 s for four responses) who fails the attention check; age "prefer not to say",
  // native language never answered.
  const p3 = participant("p-three", "telegram", "71000003", "en", { age_band: null, country_of_residence: "US" });
  assess(p3, {
    position: 0,
    scenarioId: "attention",
    shownOrder: "ABCD",
    form: "long",
    startedAt: at(20),
    readingDoneAt: at(20, 4),
    completedAt: at(21),
    locale: "en",
    blocks: [
      {
        block: "world",
        ranking: "B>A>C>D",
        rationale: rationale(RATIONALES.p3Attention, "en", 0.9),
        rankedAt: at(20, 10),
        rationaleAt: at(20, 30),
      },
      {
        block: "personal",
        ranking: "A=B=C=D",
        rationale: rationale(RATIONALES.p3Personal, null, null),
        rankedAt: at(20, 40),
        rationaleAt: at(20, 50),
      },
    ],
  });

  const withdrawn = participant("p-gone", "telegram", "71000099", "en", {
    age_band: "50-plus",
    country_of_residence: "MX",
    native_language: "es",
  });
  assess(withdrawn, {
    position: 0,
    scenarioId: "weather",
    shownOrder: "ABCD",
    form: "long",
    startedAt: at(30),
    readingDoneAt: at(30, 30),
    completedAt: at(32),
    locale: "en",
    blocks: [
      {
        block: "world",
        ranking: "C>B>A>D",
        rationale: rationale(RATIONALES.withdrawn, "en", 0.9),
        rankedAt: at(31),
        rationaleAt: at(31, 30),
      },
    ],
  });
  store.applyEffect(withdrawn, { type: "participant_deleted", at: at(40) });

  return {
    study,
    participants: { p1, p2, p3 },
    withdrawn,
    platformUserIds: ["71000001", "U0SLACK02", "71000003", "71000099"],
  };
}
