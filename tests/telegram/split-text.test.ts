import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitText } from "../../src/telegram/split-text.js";

const nonSpace = (text: string) => text.replace(/\s+/g, "");

describe("splitText", () => {
  it("keeps short text whole", () => {
    expect(splitText("hello", 10)).toEqual(["hello"]);
    expect(splitText("", 10)).toEqual([""]);
  });

  it("prefers paragraph, then line, then word breaks", () => {
    expect(splitText("aaaa bbbb\n\ncccc", 12)).toEqual(["aaaa bbbb", "cccc"]);
    expect(splitText("aaaa\nbbbb cccc", 11)).toEqual(["aaaa\nbbbb", "cccc"]);
    expect(splitText("aaaa bbbb cccc", 10)).toEqual(["aaaa bbbb", "cccc"]);
  });

  it("breaks a long word only when it must, never inside a surrogate pair", () => {
    expect(splitText("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    const emoji = "😀".repeat(5); // 10 UTF-16 units
    const chunks = splitText(emoji, 3);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(3);
    expect(chunks.join("")).toBe(emoji);
    for (const chunk of chunks) expect(chunk).not.toMatch(/[\uD800-\uDBFF]$/);
  });

  it("never loses a character and never exceeds the limit (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3000, unit: "grapheme" }), fc.integer({ min: 2, max: 500 }), (text, limit) => {
        const chunks = splitText(text, limit);
        for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(limit);
        expect(nonSpace(chunks.join(""))).toBe(nonSpace(text));
      }),
    );
  });
});
