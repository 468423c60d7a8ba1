import { describe, expect, it } from "vitest";
import type { PlaceKind } from "../../src/core/ports.js";
import { matchPlaceByName } from "../../src/core/profile/places.js";
import { PLACE_ALIASES } from "../../src/i18n/place-aliases.js";
import { createPlaceMatcher } from "../../src/i18n/places.js";

const matchPlace = createPlaceMatcher();
/** The ten UI locales, as the engine passes them (the participant's first). */
const UI_LOCALES = ["en", "af", "ar", "es", "hi", "ja", "nl", "pt", "sw", "zu"];

const match = (kind: PlaceKind, typed: string, locales: readonly string[] = UI_LOCALES) =>
  matchPlace(kind, typed, locales);

describe("countries people actually type", () => {
  it.each([
    ["UK", "GB"],
    ["the UK", "GB"],
    ["USA", "US"],
    ["U.S.A.", "US"],
    ["England", "GB"],
    ["Scotland", "GB"],
    ["Holland", "NL"],
    ["The Netherlands", "NL"],
    ["Nederland", "NL"],
    ["Hong Kong", "HK"],
    ["Korea", "KR"],
    ["Deutschland", "DE"],
    ["Österreich", "AT"],
    ["osterreich", "AT"],
    ["Allemagne", "DE"],
    ["Türkiye", "TR"],
    ["Ivory Coast", "CI"],
    ["Burma", "MM"],
    ["Россия", "RU"],
    ["香港", "HK"],
    ["ke", "KE"],
    [" KENYA ", "KE"],
  ])("%s → %s", (typed, code) => {
    expect(match("country", typed)).toEqual({ code, exact: true });
  });

  it.each([
    // ja
    ["ケニア", "KE"],
    ["日本", "JP"],
    ["ドイツ", "DE"],
    // ar, with and without the hamza people often leave out
    ["مصر", "EG"],
    ["ألمانيا", "DE"],
    ["المانيا", "DE"],
    ["كينيا", "KE"],
    // hi
    ["भारत", "IN"],
    ["केन्या", "KE"],
    ["जर्मनी", "DE"],
    // es, pt, nl, af, sw
    ["Alemania", "DE"],
    ["Quênia", "KE"],
    ["Duitsland", "DE"],
    ["Brasilië", "BR"],
    ["Ujerumani", "DE"],
  ])("%s (a UI locale's own name) → %s", (typed, code) => {
    expect(match("country", typed)).toEqual({ code, exact: true });
  });

  it("finds names written in a language the participant does not use", () => {
    // Japanese and Arabic names for a participant whose only language is English.
    expect(match("country", "ドイツ", ["en"])).toEqual({ code: "DE", exact: true });
    expect(match("country", "مصر", ["en"])).toEqual({ code: "EG", exact: true });
    expect(match("country", "Deutschland", ["en"])).toEqual({ code: "DE", exact: true });
  });
});

describe("languages people actually type", () => {
  it.each([
    ["Mandarin", "zh"],
    ["Cantonese", "zh"],
    ["普通话", "zh"],
    ["Tagalog", "tl"],
    ["Filipino", "tl"],
    ["Deutsch", "de"],
    ["Farsi", "fa"],
    ["Castellano", "es"],
    ["Español", "es"],
    ["Kiswahili", "sw"],
    ["isiZulu", "zu"],
    ["Afrikaans", "af"],
    ["Chichewa", "ny"],
    ["Greek", "el"],
    ["sw", "sw"],
    ["EN", "en"],
  ])("%s → %s", (typed, code) => {
    expect(match("language", typed)).toEqual({ code, exact: true });
  });

  it.each([
    ["日本語", "ja"],
    ["英語", "en"],
    ["ドイツ語", "de"],
    ["العربية", "ar"],
    ["الإنجليزية", "en"],
    ["हिन्दी", "hi"],
    ["हिंदी", "hi"],
    ["अंग्रेज़ी", "en"],
    ["Kiingereza", "en"],
    ["Engels", "en"],
    ["Português", "pt"],
  ])("%s (in a UI locale's script) → %s", (typed, code) => {
    expect(match("language", typed)).toEqual({ code, exact: true });
  });
});

describe("close misspellings", () => {
  it.each([
    ["country", "Kenyq", "KE"],
    ["country", "Germny", "DE"],
    ["country", "Brazl", "BR"],
    ["country", "Mexicoo", "MX"],
    ["language", "Spanich", "es"],
    ["language", "Englsh", "en"],
    ["language", "Swahilli", "sw"],
  ] as const)("%s %s is offered as %s, to be confirmed", (kind, typed, code) => {
    expect(match(kind, typed)).toEqual({ code, exact: false });
  });

  it("offers nothing for what is near no name, or short, or equally near two places", () => {
    expect(match("country", "Atlantis")).toBeNull();
    expect(match("country", "house")).toBeNull();
    expect(match("country", "Xy")).toBeNull();
    expect(match("country", "   ")).toBeNull();
    expect(match("language", "Klingon")).toBeNull();
    // One edit from both Australia and Austria: no guess.
    expect(match("country", "Austrlia")).toBeNull();
    // English uses "Congo" for both Congos.
    expect(match("country", "Congo")).toBeNull();
  });

  it("asks before taking a foreign name that is one letter from another place in the participant's languages", () => {
    // Latvian "Nigēra" is Niger; to an English reader it is Nigeria misspelt.
    expect(match("country", "Nigera", ["en"])).toEqual({ code: "NE", exact: false });
  });
});

describe("the alias table", () => {
  it("maps every alias to its place: none is shadowed by another place's name", () => {
    for (const kind of ["country", "language"] as const) {
      for (const [code, names] of Object.entries(PLACE_ALIASES[kind])) {
        for (const name of names) {
          expect(match(kind, name, ["en"]), `${kind} ${name}`).toEqual({ code, exact: true });
        }
      }
    }
  });

  it("is needed: the core's own matcher (the runtime's names only) refuses what the issue listed", () => {
    for (const typed of ["UK", "England", "Holland", "Korea", "Deutschland", "Österreich", "Allemagne"]) {
      expect(matchPlaceByName("country", typed, ["en"]), typed).toBeNull();
    }
    for (const typed of ["Mandarin", "Tagalog", "Deutsch"]) {
      expect(matchPlaceByName("language", typed, ["en"]), typed).toBeNull();
    }
  });
});
