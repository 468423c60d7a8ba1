import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LABELS } from "../../src/core/labels.js";
import { parseRanking } from "../../src/core/ranking.js";
import { type LocalizedText, type Study, StudySchema } from "../../src/core/study/schema.js";

const SAMPLE_PATH = new URL("../../studies/sample.yaml", import.meta.url);

function loadSample(): Study {
  const result = StudySchema.safeParse(parse(readFileSync(SAMPLE_PATH, "utf8")));
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`studies/sample.yaml is invalid:\n${problems.join("\n")}`);
  }
  return result.data;
}

const study = loadSample();

const PROFILE_KINDS = {
  age_band: "choice",
  gender: "choice",
  education: "choice",
  country_of_residence: "country",
  country_of_origin: "country",
  native_language: "language",
  genai_use: "choice",
  ai_concern: "choice",
} as const;

/** Every text a participant reads outside the scenarios, with where it sits in the file. */
function participantTexts(s: Study): Array<[string, LocalizedText]> {
  const texts: Array<[string, LocalizedText]> = [
    ["title", s.title],
    ["consent.text", s.consent.text],
    ["briefing", s.briefing],
  ];
  for (const q of s.screening) {
    texts.push([`screening.${q.id}.text`, q.text]);
    for (const o of q.options) texts.push([`screening.${q.id}.options.${o.id}`, o.text]);
  }
  for (const q of s.profile) {
    texts.push([`profile.${q.id}.text`, q.text]);
    for (const o of q.options) texts.push([`profile.${q.id}.options.${o.id}`, o.text]);
  }
  return texts;
}

describe("studies/sample.yaml", () => {
  it("validates against the study schema with the settings the brief asks for", () => {
    expect(study.id).toBe("sample-2026");
    expect(study.language).toBe("en");
    expect(study.consent.version).toBe("2026-11");
    expect(study.assignment).toEqual({ scenariosPerParticipant: 4, longFormTasks: 1 });
    expect(study.blocks).toEqual({ personal: true, unacceptable: true, allowTies: true });
    expect(study.rationale).toEqual({ minLetters: 20, maxChars: 2000 });
    expect(study.quality.minSecondsPerResponse).toBe(3);
    expect(study.completionCode).toBe("CHORUS-SAMPLE-7F3K");
  });

  it("has enough scenarios, each with the labels A–D exactly once", () => {
    expect(study.scenarios.length).toBeGreaterThanOrEqual(8);
    expect(study.scenarios.length).toBeGreaterThanOrEqual(study.assignment.scenariosPerParticipant);
    for (const scenario of study.scenarios) {
      expect(scenario.responses.map((r) => r.label).sort(), scenario.id).toEqual([...LABELS]);
      expect(
        scenario.messages.some((m) => m.role === "user"),
        scenario.id,
      ).toBe(true);
    }
  });

  it("covers the contested areas", () => {
    const tags = new Set(study.scenarios.flatMap((s) => s.tags));
    for (const tag of ["politics", "misinformation", "medical", "legal", "adult", "religion", "self-harm", "culture"]) {
      expect(tags.has(tag), tag).toBe(true);
    }
    const politics = study.scenarios.filter((s) => s.tags.includes("politics")).flatMap((s) => s.tags);
    expect(politics).toEqual(expect.arrayContaining(["broad-audience", "targeted-persuasion"]));
  });

  it("gives real responses: 40–250 words outside the attention check, one long enough to page", () => {
    for (const scenario of study.scenarios.filter((s) => !s.tags.includes("attention-check"))) {
      for (const response of scenario.responses) {
        const words = response.text.trim().split(/\s+/).length;
        expect(words, `${scenario.id} ${response.label}`).toBeGreaterThanOrEqual(40);
        expect(words, `${scenario.id} ${response.label}`).toBeLessThanOrEqual(260);
      }
    }
    const longest = Math.max(...study.scenarios.flatMap((s) => s.responses.map((r) => r.text.length)));
    expect(longest).toBeGreaterThanOrEqual(1400);
  });

  it("gives most scenarios a reference ranking whose best tier varies in position", () => {
    const ranked = study.scenarios.filter((s) => s.referenceRanking !== undefined);
    expect(ranked.length).toBeGreaterThan(study.scenarios.length / 2);
    const bestLabels = new Set(
      ranked.map((s) => {
        const parsed = parseRanking(s.referenceRanking ?? "");
        if (!parsed.ok) throw new Error(`${s.id}: bad reference ranking`);
        expect(parsed.ranking[0]?.length, s.id).toBe(1);
        return parsed.ranking[0]?.[0];
      }),
    );
    expect(bestLabels).toEqual(new Set(LABELS));
  });

  it("has one attention-check scenario whose best response tops its reference ranking", () => {
    const checks = study.scenarios.filter((s) => s.tags.includes("attention-check"));
    expect(checks).toHaveLength(1);
    const check = checks[0]!;
    expect(check.attentionCheck?.best).toBeDefined();
    const parsed = parseRanking(check.referenceRanking ?? "");
    expect(parsed.ok && parsed.ranking[0]).toEqual([check.attentionCheck?.best]);
    expect(study.scenarios.filter((s) => s.attentionCheck !== undefined)).toEqual([check]);
  });

  it("has every profile question with its kind, and never a hand-written 'prefer not to say'", () => {
    const byId = new Map(study.profile.map((q) => [q.id, q]));
    for (const [id, kind] of Object.entries(PROFILE_KINDS)) {
      expect(byId.get(id)?.kind, id).toBe(kind);
      expect(byId.get(id)?.options.length, id).toBeGreaterThanOrEqual(2);
    }
    expect(byId.get("age_band")?.options.map((o) => o.id)).toEqual([
      "18-24",
      "25-34",
      "35-44",
      "45-54",
      "55-64",
      "65plus",
    ]);
    expect(byId.get("genai_use")?.options.map((o) => o.id)).toEqual(["daily", "weekly", "monthly", "rarely", "never"]);
    expect(byId.get("ai_concern")?.options).toHaveLength(5);
    for (const q of study.profile) {
      for (const o of q.options) {
        const english = typeof o.text === "string" ? o.text : (o.text.en ?? "");
        expect(`${o.id} ${english}`, q.id).not.toMatch(/prefer|rather not/i);
      }
    }
  });

  it("uses ISO codes for the country and language shortcuts", () => {
    for (const q of study.profile.filter((p) => p.kind === "country")) {
      for (const o of q.options) expect(o.id, q.id).toMatch(/^[A-Z]{2}$/);
    }
    const languages = study.profile.find((q) => q.id === "native_language")?.options.map((o) => o.id);
    expect(languages).toEqual(expect.arrayContaining(["en", "es", "hi", "sw", "pt", "ja", "ar", "nl", "af", "zu"]));
    for (const id of languages ?? []) expect(id).toMatch(/^[a-z]{2}$/);
  });

  it("has every participant-facing text in English and Spanish", () => {
    const texts = participantTexts(study);
    expect(texts.length).toBeGreaterThan(60);
    for (const [where, text] of texts) {
      expect(typeof text, where).toBe("object");
      if (typeof text === "string") continue;
      expect(text.en?.trim(), `${where}.en`).toBeTruthy();
      expect(text.es?.trim(), `${where}.es`).toBeTruthy();
    }
  });

  it("keeps each screening question answerable: its correct option exists and options are distinct", () => {
    expect(study.screening.length).toBeGreaterThanOrEqual(1);
    for (const q of study.screening) {
      const ids = q.options.map((o) => o.id);
      expect(ids, q.id).toContain(q.correct);
      expect(new Set(ids).size, q.id).toBe(ids.length);
    }
  });

  it("tells the participant how to withdraw and whom to contact, in both languages", () => {
    const consent = study.consent.text;
    if (typeof consent === "string") throw new Error("consent must be localized");
    for (const locale of ["en", "es"]) {
      // Written for every platform: /withdraw on Telegram, /chorus withdraw in Slack.
      expect(consent[locale], locale).toContain("{{command:withdraw}}");
      expect(consent[locale], locale).toContain("{{command:mydata}}");
      expect(consent[locale], locale).toMatch(/@example\.org/);
    }
  });
});
