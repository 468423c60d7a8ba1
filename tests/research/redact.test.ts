import { describe, expect, it } from "vitest";
import { createRedactor, describeRedactions, emptyRedactionCounts } from "../../src/research/export/redact.js";

/** One rationale per interface locale (every script Chorus speaks), each with something to redact. */
const CASES: { locale: string; text: string; redacted: string; counts: Partial<Record<string, number>> }[] = [
  {
    locale: "en",
    text: "Email me at ana.lopez@example.org or call +1 (415) 555-0132; see https://example.com/a?b=1.",
    redacted: "Email me at [email] or call [phone]; see [url].",
    counts: { email: 1, phone: 1, url: 1 },
  },
  {
    locale: "es",
    text: "Escríbeme a @maria_g o a maría@correo.es no, mejor a maria.g@correo.es, tel. 612 34 56 78.",
    redacted: "Escríbeme a [handle] o a [email] no, mejor a [email], tel. [phone].",
    counts: { handle: 1, email: 2, phone: 1 },
  },
  {
    locale: "nl",
    text: "Bel 06-12345678 of kijk op www.voorbeeld.nl/pagina, groet @jan.",
    redacted: "Bel [phone] of kijk op [url], groet [handle].",
    counts: { phone: 1, url: 1, handle: 1 },
  },
  {
    locale: "pt",
    text: "Meu WhatsApp é +55 11 91234-5678 e o site http://exemplo.com.br.",
    redacted: "Meu WhatsApp é [phone] e o site [url].",
    counts: { phone: 1, url: 1 },
  },
  {
    locale: "af",
    text: "Stuur 'n e-pos na piet@voorbeeld.co.za of 082 123 4567.",
    redacted: "Stuur 'n e-pos na [email] of [phone].",
    counts: { email: 1, phone: 1 },
  },
  {
    locale: "ja",
    text: "メールはtaro@example.co.jpです。電話は０９０－１２３４－５６７８、@taro_yに連絡、サイトはhttps://example.jp/pathを見て",
    redacted: "メールは[email]です。電話は[phone]、[handle]に連絡、サイトは[url]を見て",
    counts: { email: 1, phone: 1, handle: 1, url: 1 },
  },
  {
    locale: "hi",
    text: "मुझे raj@example.in पर लिखें या ९८७६५४३२१० पर कॉल करें, @raj_k को टैग करें",
    redacted: "मुझे [email] पर लिखें या [phone] पर कॉल करें, [handle] को टैग करें",
    counts: { email: 1, phone: 1, handle: 1 },
  },
  {
    locale: "sw",
    text: "Nimejibu kwa barua pepe juma@example.co.tz, piga 0712 345 678 au tg://user?id=123456789.",
    redacted: "Nimejibu kwa barua pepe [email], piga [phone] au [mention].",
    counts: { email: 1, phone: 1, mention: 1 },
  },
  {
    locale: "zu",
    text: "Ngithumelele ku <@U024BE7LH|thandi> noma ku-<#C024BE7LR|general>, noma U024BE7LH.",
    redacted: "Ngithumelele ku [mention] noma ku-[mention], noma [mention].",
    counts: { mention: 3 },
  },
  {
    locale: "ar",
    text: "راسلني على ali@example.com أو اتصل ‎+٩٦٦ ٥٠ ١٢٣ ٤٥٦٧ أو زر https://ar.wikipedia.org/wiki/مصر شكرا",
    redacted: "راسلني على [email] أو اتصل ‎[phone] أو زر [url] شكرا",
    counts: { email: 1, phone: 1, url: 1 },
  },
];

describe("redaction", () => {
  for (const { locale, text, redacted, counts } of CASES) {
    it(`replaces what identifies a person with typed placeholders (${locale})`, () => {
      const redactor = createRedactor();
      expect(redactor.redact(text)).toBe(redacted);
      expect(redactor.counts).toEqual({ ...emptyRedactionCounts(), ...counts });
    });
  }

  it("leaves ordinary numbers, times, prices and words alone", () => {
    const text = [
      "In 2024 I paid 1,000,000 and scored 12345 at 10:30 on 3.5.2026.",
      "UNBELIEVABLE, and C is the answer; B>A=C>D.",
      "٢٠٢٤ में ₹ 500, 午後3時に1000円",
      "e.g. the i.e. case, 4/5 stars, on 2026-03-01 or 01.02.2026",
    ].join(" ");
    const redactor = createRedactor();
    expect(redactor.redact(text)).toBe(text);
    expect(redactor.counts).toEqual(emptyRedactionCounts());
  });

  it("counts across calls and describes the totals", () => {
    const redactor = createRedactor();
    redactor.redact("a@b.co and c@d.org");
    redactor.redact("+44 20 7946 0958");
    expect(describeRedactions(redactor.counts)).toBe("2 email addresses, 1 phone number");
    expect(describeRedactions(emptyRedactionCounts())).toBe("nothing to redact");
  });
});
