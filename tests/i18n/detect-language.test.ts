import { beforeAll, describe, expect, it } from "vitest";
import type { LanguageDetector } from "../../src/core/ports.js";
import { createLanguageDetector, dutchOrAfrikaans, iso6391, textForDetection } from "../../src/i18n/detect-language.js";

/** Short rationales of the kind participants write: one or two sentences, response letters included. */
const RATIONALES: Record<string, string[]> = {
  en: [
    "Response B explains the risks honestly and still respects the person's choice, so it is the most helpful.",
    "I put D last because it refuses without giving any reason. People deserve an explanation.",
  ],
  es: [
    "La respuesta B explica los riesgos con honestidad y respeta la decisión de la persona, por eso me parece la mejor.",
    "Puse la D en último lugar porque se niega sin dar ninguna razón. La gente merece una explicación.",
  ],
  nl: [
    "Antwoord B legt de risico's eerlijk uit en respecteert toch de keuze van de persoon, daarom vind ik het het beste.",
    "Ik heb D als laatste gezet omdat het weigert zonder enige uitleg. Mensen verdienen een verklaring.",
  ],
  pt: [
    "A resposta B explica os riscos com honestidade e ainda respeita a escolha da pessoa, por isso achei a melhor.",
    "Coloquei a D em último porque ela se recusa sem dar nenhum motivo. As pessoas merecem uma explicação.",
  ],
  af: [
    "Antwoord B verduidelik die risiko's eerlik en respekteer steeds die persoon se keuse, daarom is dit die beste.",
    "Ek het D laaste geplaas omdat dit weier sonder om enige rede te gee. Mense verdien 'n verduideliking.",
  ],
  zu: [
    "Impendulo B ichaza izingozi ngokwethembeka futhi ihlonipha isinqumo somuntu, ngakho-ke yiyona engcono kakhulu.",
    "Ngiyavuma ngoba impendulo iyasiza kakhulu kubantu abaningi emphakathini wethu.",
  ],
  sw: [
    "Jibu B linaeleza hatari kwa uaminifu na bado linaheshimu uamuzi wa mtu, kwa hiyo ndilo bora zaidi.",
    "Niliweka D mwisho kwa sababu linakataa bila kutoa sababu yoyote. Watu wanastahili maelezo.",
  ],
  hi: [
    "उत्तर B जोखिमों को ईमानदारी से समझाता है और फिर भी व्यक्ति के फ़ैसले का सम्मान करता है, इसलिए यह सबसे अच्छा है।",
    "मैंने D को आख़िर में रखा क्योंकि वह बिना कोई कारण बताए मना कर देता है।",
  ],
  ja: [
    "回答Bはリスクを正直に説明しつつ、本人の選択も尊重しているので、一番良いと思います。",
    "Aは説教くさすぎます。利用者は事実だけを聞いていました。",
  ],
  ar: [
    "الرد B يشرح المخاطر بصدق ويحترم في الوقت نفسه قرار الشخص، لذلك أراه الأفضل.",
    "وضعت D في المرتبة الأخيرة لأنه يرفض دون أن يذكر أي سبب. الناس يستحقون تفسيرًا.",
  ],
};

let detect: LanguageDetector;
beforeAll(async () => {
  detect = await createLanguageDetector();
}, 30_000);

describe("rationale language detection", () => {
  for (const [language, texts] of Object.entries(RATIONALES)) {
    it(`detects ${language} in short rationales, with a 0–1 confidence`, () => {
      for (const text of texts) {
        const result = detect(text);
        expect(result?.language, text).toBe(language);
        expect(result?.confidence, text).toBeGreaterThanOrEqual(0.4);
        expect(result?.confidence, text).toBeLessThanOrEqual(1);
      }
    });
  }

  it("claims no language for text with too little language in it", () => {
    for (const text of ["ok", "B>A=C>D", "B > A = C > D 👍", "https://example.org/a-very-long-link", "1234 5678"]) {
      expect(detect(text), text).toBeNull();
    }
  });

  it("is confident on a clear sentence and less so on a short, ambiguous one", () => {
    const clear = detect("Ich finde Antwort B am besten, weil sie ehrlich ist und niemanden bevormundet.");
    expect(clear).toEqual({ language: "de", confidence: expect.any(Number) });
    expect(clear?.confidence).toBeGreaterThan(0.8);
    const hindiOrMarathi = detect("उत्तर B सबसे अच्छा है।");
    expect(hindiOrMarathi?.confidence ?? 0).toBeLessThan(clear?.confidence ?? 0);
  });

  it("returns ISO 639-1 codes for languages eld does not know", () => {
    const sotho = detect("Ke nahana hore karabo B ke yona e ntle ka ho fetisisa hobane e a thusa batho.");
    expect(sotho?.language).toMatch(/^[a-z]{2}$/);
  });
});

describe("detection helpers", () => {
  it("drops response letters, rankings, links and digits before detecting", () => {
    expect(textForDetection("回答Bは良い。B>A=C>D see https://x.org 42")).toBe("回答 は良い。 see");
    expect(textForDetection("A is too preachy")).toBe("is too preachy");
  });

  it("maps franc's ISO 639-3 codes to ISO 639-1", () => {
    expect(["zul", "swh", "afr", "arb", "cmn", "tgl", "sco"].map(iso6391)).toEqual([
      "zu",
      "sw",
      "af",
      "ar",
      "zh",
      "tl",
      null,
    ]);
  });

  it("tells Afrikaans from Dutch by their telling words", () => {
    expect(dutchOrAfrikaans("Ek dink die antwoord is nie goed nie.", 1).language).toBe("af");
    expect(dutchOrAfrikaans("Ik denk dat het antwoord niet goed is.", 1).language).toBe("nl");
  });
});
