import { describe, expect, it } from "vitest";
import { checkFreeText, weightedLetterCount } from "../../src/core/text/measure.js";

/** The same two rationales written in each language. */
const PARALLEL = {
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
    "Ngibeke u-D ekugcineni ngoba uyenqaba ngaphandle kokunika isizathu. Abantu bafanelwe yincazelo.",
  ],
  sw: [
    "Jibu B linaeleza hatari kwa uaminifu na bado linaheshimu uamuzi wa mtu, kwa hiyo ndilo bora zaidi.",
    "Niliweka D mwisho kwa sababu linakataa bila kutoa sababu yoyote. Watu wanastahili maelezo.",
  ],
  hi: [
    "उत्तर B जोखिमों को ईमानदारी से समझाता है और फिर भी व्यक्ति के फ़ैसले का सम्मान करता है, इसलिए यह सबसे अच्छा है।",
    "मैंने D को आख़िर में रखा क्योंकि वह बिना कोई कारण बताए मना कर देता है। लोगों को स्पष्टीकरण मिलना चाहिए।",
  ],
  ja: [
    "回答Bはリスクを正直に説明しつつ、本人の選択も尊重しているので、一番良いと思います。",
    "Dは理由を何も言わずに断っているので最下位にしました。説明があるべきです。",
  ],
  ar: [
    "الرد B يشرح المخاطر بصدق ويحترم في الوقت نفسه قرار الشخص، لذلك أراه الأفضل.",
    "وضعت D في المرتبة الأخيرة لأنه يرفض دون أن يذكر أي سبب. الناس يستحقون تفسيرًا.",
  ],
} satisfies Record<string, [string, string]>;

describe("weightedLetterCount: a rationale minimum that is fair across scripts", () => {
  const english = PARALLEL.en.map(weightedLetterCount);

  for (const [language, texts] of Object.entries(PARALLEL)) {
    it(`counts a ${language} rationale within about ±20% of the same rationale in English`, () => {
      texts.forEach((text, index) => {
        const ratio = weightedLetterCount(text) / (english[index] ?? 1);
        expect(ratio, text).toBeGreaterThan(0.8);
        expect(ratio, text).toBeLessThan(1.25);
      });
    });
  }

  it("counts letters and digits only, by grapheme cluster", () => {
    expect(weightedLetterCount("B > A, ok!! 👍🏽 —")).toBe(4);
    expect(weightedLetterCount("café")).toBe(weightedLetterCount("cafe\u0301"));
    // A Devanagari conjunct with its vowel sign is one cluster: "अच्छा" is two.
    expect(weightedLetterCount("अच्छा")).toBeCloseTo(2 * 1.6);
    expect(weightedLetterCount("日本")).toBe(6);
    expect(weightedLetterCount("です")).toBe(3);
  });

  it("asks a Japanese participant for a few words, not twenty characters", () => {
    const limits = { minLetters: 20, maxChars: 2000 };
    expect(checkFreeText("いいです。", limits)).toEqual({ problem: "too_short", min: 20 });
    expect(checkFreeText("正直で、相手の判断を尊重しているからです。", limits)).toBeNull();
    expect(checkFreeText("यह जवाब सबसे अच्छा और ईमानदार है।", limits)).toBeNull();
    expect(checkFreeText("هذا الرد أفضل وأكثر صدقًا.", limits)).toBeNull();
  });
});
