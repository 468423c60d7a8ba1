import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SplitRules, splitText } from "../../src/core/text/split.js";
import { SLACK_SPLIT } from "../../src/slack/blocks.js";
import { TELEGRAM_SPLIT } from "../../src/telegram/card.js";

const nonSpace = (text: string) => text.replace(/\s+/g, "");

describe("splitText, both platforms", () => {
  for (const [platform, rules] of [
    ["Telegram", TELEGRAM_SPLIT],
    ["Slack", SLACK_SPLIT],
  ] as const) {
    it(`${platform}: never loses a character but whitespace, never exceeds the limit (property)`, () => {
      fc.assert(
        fc.property(
          fc.string({ maxLength: 3000, unit: "grapheme" }),
          fc.integer({ min: 2, max: 500 }),
          (text, limit) => {
            const pieces = splitText(text, limit, rules);
            for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(limit);
            expect(nonSpace(pieces.join(""))).toBe(nonSpace(text));
          },
        ),
        { numRuns: 300 },
      );
    });

    it(`${platform}: breaks a long word only when it must, never inside a surrogate pair`, () => {
      expect(splitText("abcdefghij", 4, rules)).toEqual(["abcd", "efgh", "ij"]);
      const emoji = "😀".repeat(5); // 10 UTF-16 units
      const pieces = splitText(emoji, 3, rules);
      expect(pieces.join("")).toBe(emoji);
      for (const piece of pieces) expect(piece).toMatch(/^(😀)+$/u);
    });
  }

  it("rejects a limit that cannot hold a surrogate pair", () => {
    expect(() => splitText("abc", 1, TELEGRAM_SPLIT)).toThrow(RangeError);
  });
});

describe("Telegram: pieces are messages, the separator at a break is dropped", () => {
  const split = (text: string, limit: number) => splitText(text, limit, TELEGRAM_SPLIT);

  it("keeps short text whole, an empty text one empty message", () => {
    expect(split("hello", 10)).toEqual(["hello"]);
    expect(split("", 10)).toEqual([""]);
  });

  it("prefers paragraph, then line, then word breaks", () => {
    expect(split("aaaa bbbb\n\ncccc", 12)).toEqual(["aaaa bbbb", "cccc"]);
    expect(split("aaaa\nbbbb cccc", 11)).toEqual(["aaaa\nbbbb", "cccc"]);
    expect(split("aaaa bbbb cccc", 10)).toEqual(["aaaa bbbb", "cccc"]);
  });

  it("drops a separator that begins right at the limit, breaks in the second half only", () => {
    expect(split("aaaa bbbb", 4)).toEqual(["aaaa", "bbbb"]);
    expect(split("a bbbbbbbbb", 8)).toEqual(["a bbbbbb", "bbb"]); // the space is in the first half
  });
});

describe("Slack: pieces are sections of one message, every character kept", () => {
  const split = (text: string, limit: number) => splitText(text, limit, SLACK_SPLIT);

  it("gives the text back when joined, leaving out only pieces that are whitespace", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 400 }), fc.integer({ min: 2, max: 60 }), (text, limit) => {
        const pieces = split(text, limit);
        for (const piece of pieces) expect(piece.trim()).not.toBe("");
        expect(pieces.join("").replace(/\s/g, "")).toBe(text.replace(/\s/g, ""));
        if (!/\s/.test(text)) expect(pieces.join("")).toBe(text);
      }),
      { numRuns: 300 },
    );
    expect(split("", 10)).toEqual([]);
  });

  it("prefers a paragraph, then a line, then a sentence, then a space; the break stays with the piece", () => {
    const a = "a".repeat(40);
    const b = "b".repeat(40);
    expect(split(`${a}\n\n${b}`, 60)).toEqual([`${a}\n\n`, b]);
    expect(split(`${a}\n${b}`, 60)).toEqual([`${a}\n`, b]);
    expect(split("First one. Second one here", 16)).toEqual(["First one.", " Second one here"]);
    expect(split("aaaa bbbb cccc", 10)).toEqual(["aaaa bbbb ", "cccc"]);
  });
});

describe("rules of a platform's own", () => {
  it("break where the rules say, in their order", () => {
    const commas: SplitRules = { breaks: [/,/], separator: "drop", dropBlank: false };
    expect(splitText("one two,three four", 10, commas)).toEqual(["one two", "three four"]);
  });
});
