import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  embedLtr,
  FSI,
  isolate,
  isolateLtrRuns,
  isRtlLocale,
  LRI,
  PDI,
  stripBidiControls,
} from "../../src/i18n/bidi.js";
import { createI18n } from "../../src/i18n/index.js";

const LOCALES_DIR = path.resolve(import.meta.dirname, "../../locales");
const i18n = createI18n({ localesDir: LOCALES_DIR });

describe("isRtlLocale", () => {
  it("knows which locales are written right to left", () => {
    for (const locale of ["ar", "ar-EG", "he", "fa", "ur", "ckb"]) expect(isRtlLocale(locale), locale).toBe(true);
    for (const locale of ["en", "es-419", "pt-BR", "ja", "hi", "sw", "zu", "af", "nl", "az-Latn"]) {
      expect(isRtlLocale(locale), locale).toBe(false);
    }
  });
});

describe("isolateLtrRuns", () => {
  it("isolates a command so its slash stays in front of it", () => {
    expect(isolateLtrRuns("أرسل /withdraw الآن.")).toBe(`أرسل ${LRI}/withdraw${PDI} الآن.`);
  });

  it("keeps a whole ranking in one isolate, so 'B > A' is not shown as 'A < B'", () => {
    expect(isolateLtrRuns("مثل B > A = C > D.")).toBe(`مثل ${LRI}B > A = C > D${PDI}.`);
  });

  it("groups interpolations joined by neutral characters, leaves a lone one for the renderer", () => {
    expect(isolateLtrRuns("الرد {{label}} · {{index}}/{{total}}")).toBe(
      `الرد ${LRI}{{label}} · {{index}}/{{total}}${PDI}`,
    );
    expect(isolateLtrRuns("أهلًا «{{title}}» هنا")).toBe("أهلًا «{{title}}» هنا");
    expect(isolateLtrRuns("الأمر /{{command}} غير معروف")).toBe(`الأمر ${LRI}/{{command}}${PDI} غير معروف`);
  });

  it("stops a run at a line break and at right-to-left letters", () => {
    expect(isolateLtrRuns("/help: هذه\n/pause و/resume: إيقاف")).toBe(
      `${LRI}/help${PDI}: هذه\n${LRI}/pause${PDI} و${LRI}/resume${PDI}: إيقاف`,
    );
  });

  it("leaves an English line of an Arabic text alone: it is a left-to-right paragraph of its own", () => {
    expect(isolateLtrRuns("اقرأ النص:\n\nThe garden opens at 7 a.m.")).toBe("اقرأ النص:\n\nThe garden opens at 7 a.m.");
  });

  it("never splits an Arabic word (tatweel) or a letter from its combining mark", () => {
    expect(isolateLtrRuns("الإجابة بـ«نعم»")).toBe("الإجابة بـ«نعم»");
    const decomposed = "cafe\u0301";
    expect(isolateLtrRuns(`مقهى ${decomposed} هنا`)).toBe(`مقهى ${LRI}${decomposed}${PDI} هنا`);
  });

  it("leaves text without any right-to-left letter exactly as it was", () => {
    for (const text of ["Response {{label}} · {{index}}/{{total}}", "B > A = C > D", "日本語 /help"]) {
      expect(isolateLtrRuns(text)).toBe(text);
    }
  });
});

describe("isolate and embedLtr", () => {
  it("isolates each line on its own", () => {
    expect(isolate("a: 1\nb: 2")).toBe(`${FSI}a: 1${PDI}\n${FSI}b: 2${PDI}`);
    expect(isolate("B", "ltr")).toBe(`${LRI}B${PDI}`);
  });

  it("changes nothing for left-to-right locales", () => {
    expect(embedLtr("en", "B > A")).toBe("B > A");
    expect(embedLtr("ar", 3)).toBe(`${LRI}3${PDI}`);
  });
});

describe("i18n.render in a right-to-left locale", () => {
  it("renders 'Response B · 2/4' with the letter and the position isolated", () => {
    const rendered = i18n.render("ar", { key: "viewer.header", params: { label: "B", index: 2, total: 4 } });
    expect(rendered).toBe(`الرد ${LRI}${FSI}B${PDI} · ${FSI}2${PDI}/${FSI}4${PDI}${PDI}`);
    expect(stripBidiControls(rendered)).toBe("الرد B · 2/4");
  });

  it("isolates interpolated participant text as a whole without changing a character of it", () => {
    const ranking = "B > A = C > D";
    const rendered = i18n.render("ar", { key: "ranking.confirm", params: { ranking: { verbatim: ranking } } });
    expect(rendered).toContain(`${FSI}${ranking}${PDI}`);
  });

  it("never touches verbatim text shown on its own", () => {
    const text = "Answer: use /help and B > A, then مرحبا";
    expect(i18n.render("ar", { verbatim: text })).toBe(text);
  });

  it("isolates commands in a study's Arabic text but not in its English fallback", () => {
    const arabic = i18n.render("ar", { localized: { en: "Send /withdraw.", ar: "أرسل /withdraw." } });
    expect(arabic).toBe(`أرسل ${LRI}/withdraw${PDI}.`);
    expect(i18n.render("ar", { localized: { en: "Send /withdraw." } })).toBe("Send /withdraw.");
  });

  it("keeps left-to-right locales free of bidi controls", () => {
    for (const locale of i18n.locales.filter((l) => !isRtlLocale(l))) {
      const rendered = i18n.render(locale, { key: "viewer.header", params: { label: "B", index: 2, total: 4 } });
      expect(rendered, locale).toBe(stripBidiControls(rendered));
    }
  });

  it("still picks the Arabic plural form from a numeric count", () => {
    const forms = [1, 2, 3, 11, 100].map((count) =>
      stripBidiControls(i18n.render("ar", { key: "briefing.ready", params: { count } })),
    );
    expect(forms).toEqual([
      "لديك موقف واحد. هل نبدأ؟",
      "لديك موقفان. هل نبدأ؟",
      "لديك 3 مواقف. هل نبدأ؟",
      "لديك 11 موقفًا. هل نبدأ؟",
      "لديك 100 موقف. هل نبدأ؟",
    ]);
  });
});
