import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { FSI, LRI, PDI, stripBidiControls } from "../../src/i18n/bidi.js";
import { flattenKeys } from "../../src/i18n/check.js";
import { createI18n } from "../../src/i18n/index.js";
import { pilotDir, runPilotProcess } from "../helpers/pilot-process.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const english = flattenKeys(JSON.parse(readFileSync(path.join(ROOT, "locales/en/survey.json"), "utf8")));
const i18n = createI18n({ localesDir: path.join(ROOT, "locales") });
const keyPaths = [...english.keys()].map((k) => k.replace(/_(zero|one|two|few|many|other)$/, ""));

interface Session {
  /** How the participant names their language at the first question. */
  language: string;
  rationales: [world: string, personal: string, unacceptable: string, short: string];
}

/** A whole sample-study session typed at the terminal: 4 scenarios, the first in long form. */
function script(session: Session): string[] {
  const rank = ["1", "1", "1", "1"]; // three picks (the last letter places itself), then confirm
  const done = "1";
  const [world, personal, unacceptable, short] = session.rationales;
  return [
    session.language,
    "1",
    "1",
    "2",
    ...Array.from({ length: 8 }, () => "1"),
    "/progress",
    "1",
    ...rank,
    world,
    done,
    ...rank,
    personal,
    done,
    "1",
    "5",
    unacceptable,
    done,
    "/frobnicate",
    ...[1, 2, 3].flatMap(() => [...rank, short, done]),
  ];
}

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function runPilot(lang: string, lines: string[]) {
  dir = pilotDir();
  return runPilotProcess(lines, path.join(dir, "chorus.db"), { CONSOLE_USER: `pilot-${lang}`, LANG: lang });
}

function rows(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  try {
    const participant = db.prepare("SELECT locale, status FROM participants").get();
    const blocks = db
      .prepare(
        "SELECT b.rationale, b.rationale_language AS language, b.rationale_confidence AS confidence FROM ranking_blocks b JOIN assessments s ON s.id = b.assessment_id JOIN assignments a ON a.id = s.assignment_id ORDER BY a.position, b.block DESC",
      )
      .all() as { rationale: string; language: string | null; confidence: number | null }[];
    const unacceptable = db
      .prepare("SELECT unacceptable_rationale FROM assessments WHERE unacceptable_rationale IS NOT NULL")
      .all();
    return {
      participant,
      rationales: blocks.map((b) => b.rationale),
      detected: blocks.map((b) => [b.language, b.confidence]),
      unacceptable,
    };
  } finally {
    db.close();
  }
}

function expectNoRawKeys(output: string) {
  expect(output).not.toContain("{{");
  const plain = stripBidiControls(output);
  expect(keyPaths.filter((keyPath) => plain.includes(keyPath))).toEqual([]);
}

describe("a whole session on the terminal pilot in Arabic and in Japanese", () => {
  it("runs in Arabic, right to left, with every left-to-right piece isolated", () => {
    const session: Session = {
      language: "العربية",
      rationales: [
        "الرد الأول واضح وصادق ويحترم قرار الشخص، لذلك وضعته في المقدمة.",
        "أفضّل الرد الذي يشرح المخاطر دون وعظ، فهذا ما أريده لنفسي.",
        "الرد A يرفض دون أي تفسير، وهذا غير مقبول من مساعد ذكي.",
        "هذا الترتيب يعكس مدى الصدق والفائدة في كل رد من الردود.",
      ],
    };
    const run = runPilot("ar_EG.UTF-8", script(session));
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    expectNoRawKeys(out);
    // Suggested from LANG: the very first question is already in Arabic; the menu names languages in their own script.
    expect(out).toContain("ما اللغة المفضّلة لديك للمتابعة؟");
    expect(out).toMatch(/\d\) العربية/);
    expect(out).toMatch(/\d\) 日本語/);
    // The study's own Arabic consent, then the survey's Arabic UI with isolated commands and codes.
    expect(out).toContain("الموافقة على المشاركة في استطلاع بحثي");
    expect(out).toContain(`${LRI}/withdraw${PDI}`);
    expect(out).toContain("هل توافق على المشاركة؟");
    // Each response's header on the card, its letter isolated inside the Arabic line.
    for (const label of ["A", "D"]) {
      const header = i18n.render("ar", { key: "card.response", params: { label } });
      expect(header).toContain(`${FSI}${label}${PDI}`);
      expect(out).toContain(`── ${header} ──`);
    }
    expect(out).toContain(`لا أعرف الأمر ${LRI}/${FSI}frobnicate${PDI}${PDI}.`);
    expect(out).toContain(`رمز الإكمال الخاص بك هو ${FSI}CHORUS-SAMPLE-7F3K${PDI}`);
    // Nothing of the English UI leaks through; the scenarios stay in the study's language.
    for (const english of ["Please answer", "Next ▶", "Your ranking", "Scenario 1 of 4", "Prefer not to say"]) {
      expect(out).not.toContain(english);
    }
    expect(out).toContain("[كتب الشخص]");

    const stored = rows(run.dbPath);
    expect(stored.participant).toEqual({ locale: "ar", status: "completed" });
    expect(stored.rationales).toEqual([
      session.rationales[0],
      session.rationales[1],
      session.rationales[3],
      session.rationales[3],
      session.rationales[3],
    ]);
    expect(stored.unacceptable).toEqual([{ unacceptable_rationale: session.rationales[2] }]);
    // The rationale's language is detected and stored with its confidence, beside the UI locale.
    for (const [language, confidence] of stored.detected) {
      expect(language).toBe("ar");
      expect(confidence).toBeGreaterThan(0.5);
    }
  });

  it("runs in Japanese, with the rationale minimum counted in Japanese characters", () => {
    const session: Session = {
      language: "日本語",
      rationales: [
        "正直で、相手の判断を尊重しているからです。",
        "説教をせずに事実を伝えてくれるので好きです。",
        "理由も言わずに断るのは良くないと思います。",
        "一番役に立つ順に並べました。",
      ],
    };
    const lines = script(session);
    // Too short even counted per script (5 kana × 3 = 15 < 20): re-asked, then the real answer.
    // Done on it is refused with the reason; Start again clears it.
    lines.splice(lines.indexOf(session.rationales[0]), 0, "いいです。", "1", "2");
    const run = runPilot("ja_JP.UTF-8", lines);
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    expectNoRawKeys(out);
    expect(out).toContain("どの言語で続けますか？");
    expect(out).toContain("研究アンケートへの参加同意");
    expect(out).toContain("参加に同意しますか？");
    expect(out).toContain(`── ${i18n.render("ja", { key: "card.response", params: { label: "A" } })} ──`);
    expect(out).toContain("もう少し詳しく教えてください。少なくとも20文字分が必要です");
    expect(out).toContain("/frobnicate というコマンドはありません。");
    expect(out).toContain("完了コードは CHORUS-SAMPLE-7F3K です");
    expect(out).not.toContain("Please answer");
    expect(out).not.toContain("\u2066");

    const stored = rows(run.dbPath);
    expect(stored.participant).toEqual({ locale: "ja", status: "completed" });
    expect(stored.rationales[0]).toBe(session.rationales[0]);
    expect(stored.rationales).toHaveLength(5);
    expect(stored.detected.map(([language]) => language)).toEqual(["ja", "ja", "ja", "ja", "ja"]);
  });
});
