import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CALLBACK_DATA_MAX_BYTES,
  CallbackDataTooLongError,
  callbackDataBytes,
  encodeChoice,
  packChoice,
  packPage,
  unpackCallbackData,
} from "../../src/telegram/callback-data.js";

describe("callback data", () => {
  it("packs step and choice compactly and reads them back", () => {
    const packed = packChoice(47, "p:A", 0);
    expect(packed).toEqual({ data: "c1b.p:A", byIndex: false });
    expect(unpackCallbackData(packed.data)).toEqual({ kind: "choice", step: 47, choice: "p:A", viewer: false });
    expect(unpackCallbackData(packChoice(3, "next", 1, { viewer: true }).data)).toEqual({
      kind: "choice",
      step: 3,
      choice: "next",
      viewer: true,
    });
    expect(unpackCallbackData(packPage(2))).toEqual({ kind: "page", page: 2 });
  });

  it("keeps ids with dots, dashes and colons whole (the step ends at the first dot)", () => {
    for (const id of ["pt-BR", "a.b.c", "u:D", "18-29", "x:y:z"]) {
      expect(unpackCallbackData(packChoice(12345, id, 0).data)).toMatchObject({ step: 12345, choice: id });
    }
  });

  it("falls back to the index when the id would exceed 64 bytes", () => {
    const longId = `option-${"x".repeat(60)}`;
    const packed = packChoice(9, longId, 11);
    expect(packed.byIndex).toBe(true);
    expect(callbackDataBytes(packed.data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    expect(unpackCallbackData(packed.data)).toEqual({ kind: "choice_index", step: 9, index: 11, viewer: false });
    expect(unpackCallbackData(packChoice(9, longId, 3, { viewer: true }).data)).toEqual({
      kind: "choice_index",
      step: 9,
      index: 3,
      viewer: true,
    });
  });

  it("counts bytes, not characters: multi-byte ids fall back too", () => {
    const id = "é".repeat(31); // 62 bytes
    expect(packChoice(1, id, 0).byIndex).toBe(true);
    expect(packChoice(1, "é".repeat(29), 0).byIndex).toBe(false);
  });

  it("refuses to encode by id what does not fit (senders without an index list)", () => {
    expect(() => encodeChoice(1, "y".repeat(70))).toThrow(CallbackDataTooLongError);
    expect(encodeChoice(1, "more")).toBe("c1.more");
  });

  it("rejects data it did not make", () => {
    for (const data of ["", "x", "c", "c.", "c1.", "cZZ.a", "n1.!", "p", "pA", "q1.a", "c-1.a"]) {
      expect(unpackCallbackData(data), data).toBeUndefined();
    }
  });

  it("always fits in 64 bytes and round-trips (property)", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.string({ minLength: 1, maxLength: 100, unit: "grapheme" }),
        fc.nat({ max: 1000 }),
        fc.boolean(),
        (step, id, index, viewer) => {
          const packed = packChoice(step, id, index, { viewer });
          expect(callbackDataBytes(packed.data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
          const decoded = unpackCallbackData(packed.data);
          expect(decoded).toEqual(
            packed.byIndex
              ? { kind: "choice_index", step, index, viewer }
              : { kind: "choice", step, choice: id, viewer },
          );
        },
      ),
    );
  });
});
