import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CALLBACK_DATA_MAX_BYTES,
  CallbackDataTooLongError,
  callbackDataBytes,
  cardKey,
  encodeChoice,
  packChoice,
  packPage,
  unpackCallbackData,
} from "../../src/telegram/callback-data.js";

describe("callback data", () => {
  it("packs step and choice compactly and reads them back, with the card's key on a card", () => {
    const packed = packChoice(47, "yes", 0);
    expect(packed).toEqual({ data: "c1b.yes", byIndex: false });
    expect(unpackCallbackData(packed.data)).toEqual({ kind: "choice", step: 47, choice: "yes" });
    const card = cardKey("task-0");
    const onCard = packChoice(3, "p:A", 1, { card });
    expect(onCard.data).toBe(`k3.${card}.p:A`);
    expect(unpackCallbackData(onCard.data)).toEqual({ kind: "choice", step: 3, choice: "p:A", card });
  });

  it("gives every card a short stable key of base-36 digits", () => {
    expect(cardKey("task-0")).toBe(cardKey("task-0"));
    expect(cardKey("task-0")).not.toBe(cardKey("task-1"));
    const keys = new Set(Array.from({ length: 1000 }, (_, index) => cardKey(`task-${index}`)));
    expect(keys.size).toBe(1000);
    for (const key of keys) expect(key).toMatch(/^[0-9a-z]{1,7}$/);
  });

  it("keeps ids with dots, dashes and colons whole (the step and key end at their dot)", () => {
    for (const id of ["pt-BR", "a.b.c", "u:D", "18-29", "x:y:z", "read:12:3"]) {
      expect(unpackCallbackData(packChoice(12345, id, 0).data)).toMatchObject({ step: 12345, choice: id });
      expect(unpackCallbackData(packChoice(12345, id, 0, { card: "zz9" }).data)).toEqual({
        kind: "choice",
        step: 12345,
        choice: id,
        card: "zz9",
      });
    }
  });

  it("falls back to the index when the id would exceed 64 bytes", () => {
    const longId = `option-${"x".repeat(60)}`;
    const packed = packChoice(9, longId, 11);
    expect(packed.byIndex).toBe(true);
    expect(callbackDataBytes(packed.data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    expect(unpackCallbackData(packed.data)).toEqual({ kind: "choice_index", step: 9, index: 11 });
    expect(unpackCallbackData(packChoice(9, longId, 3, { card: "abc" }).data)).toEqual({
      kind: "choice_index",
      step: 9,
      index: 3,
      card: "abc",
    });
  });

  it("counts bytes, not characters: multi-byte ids fall back too", () => {
    const id = "é".repeat(31); // 62 bytes
    expect(packChoice(1, id, 0).byIndex).toBe(true);
    expect(packChoice(1, "é".repeat(29), 0).byIndex).toBe(false);
  });

  it("packs page buttons with the choice that opens their response, dropping it if it does not fit", () => {
    expect(unpackCallbackData(packPage(2, "k1", "read:0:3"))).toEqual({
      kind: "page",
      page: 2,
      card: "k1",
      open: "read:0:3",
    });
    expect(unpackCallbackData(packPage(0, "k1"))).toEqual({ kind: "page", page: 0, card: "k1" });
    expect(packPage(1, "k1", "r".repeat(70))).toBe("p1.k1");
  });

  it("refuses to encode by id what does not fit (senders without an index list)", () => {
    expect(() => encodeChoice(1, "y".repeat(70))).toThrow(CallbackDataTooLongError);
    expect(encodeChoice(1, "more")).toBe("c1.more");
  });

  it("rejects data it did not make", () => {
    for (const data of [
      "",
      "x",
      "c",
      "c.",
      "c1.",
      "cZZ.a",
      "n1.!",
      "p",
      "pA",
      "p1",
      "q1.a",
      "c-1.a",
      "k1.a",
      "kA.b.c",
      "m1.k.!",
    ]) {
      expect(unpackCallbackData(data), data).toBeUndefined();
    }
  });

  it("always fits in 64 bytes and round-trips (property)", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.string({ minLength: 1, maxLength: 100, unit: "grapheme" }),
        fc.nat({ max: 1000 }),
        fc.option(fc.stringMatching(/^[0-9a-z]{1,7}$/), { nil: undefined }),
        (step, id, index, card) => {
          const packed = packChoice(step, id, index, card === undefined ? {} : { card });
          expect(callbackDataBytes(packed.data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
          const where = card === undefined ? {} : { card };
          expect(unpackCallbackData(packed.data)).toEqual(
            packed.byIndex
              ? { kind: "choice_index", step, index, ...where }
              : { kind: "choice", step, choice: id, ...where },
          );
        },
      ),
    );
  });
});
