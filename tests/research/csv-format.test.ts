import { parse as parseCsv } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { weightedLetterCount } from "../../src/core/text/measure.js";
import { weightedLettersAtLeast } from "../../src/research/analysis/quality.js";
import { csvField, csvRecord } from "../../src/research/export/csv-format.js";

const TRICKY = ['"', ",", "\n", "\r", "\r\n", " ", "👍", "مرحبا", "नमस्ते", "日本語", "=1+1", "", "a"];
const field = fc.oneof(
  fc.string(),
  fc.array(fc.constantFrom(...TRICKY)).map((parts) => parts.join("")),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(null),
);

describe("RFC 4180 fields", () => {
  it("quote only what needs quoting", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvField(null)).toBe("");
    expect(csvField(0.97)).toBe("0.97");
    expect(csvRecord(["a", null, "b,c"])).toBe('a,,"b,c"\r\n');
  });

  it("read back through csv-parse exactly (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = Math.max(...rows.map((row) => row.length));
        const padded = rows.map((row) => [...row, ...Array(width - row.length).fill(null)]);
        const text = padded.map(csvRecord).join("");
        const parsed = parseCsv(text, { relax_column_count: false }) as string[][];
        expect(parsed).toEqual(padded.map((row) => row.map((value) => (value === null ? "" : String(value)))));
      }),
      { numRuns: 300 },
    );
  });
});

describe("the fast formatter and csv-stringify", () => {
  it("write the same bytes (property)", () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 8 }), (fields) => {
        // csv-stringify needs quoted_match to quote a lone \n or \r when records end with \r\n.
        expect(csvRecord(fields)).toBe(stringify([fields], { record_delimiter: "\r\n", quoted_match: /[\r\n]/ }));
      }),
      { numRuns: 500 },
    );
  });
});

describe("the early-stopping rationale measure", () => {
  it("agrees with the survey's own count at every threshold", () => {
    const texts = [
      "Short.",
      "A perfectly ordinary English rationale, long enough.",
      "यह उत्तर सबसे अधिक सहायक और ईमानदार है",
      "この回答は正直で役に立ちます",
      "هذه الإجابة صادقة ومفيدة",
      "😀😀😀 ok",
      "—— ... !!! ??",
      "한국어 답변입니다 정말로",
    ];
    for (const text of texts) {
      const count = weightedLetterCount(text);
      for (const min of [0, 1, 5, 10, 20, 40])
        expect([text, min, weightedLettersAtLeast(text, min)]).toEqual([text, min, count >= min]);
    }
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.integer({ min: 0, max: 30 }), (text, min) => {
        expect(weightedLettersAtLeast(text, min)).toBe(weightedLetterCount(text) >= min);
      }),
      { numRuns: 300 },
    );
  });
});
