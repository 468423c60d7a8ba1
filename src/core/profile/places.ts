/**
 * Countries and languages typed by participants, matched to ISO codes with
 * the JavaScript runtime's own Intl.DisplayNames in the participant's
 * languages. This is the core's own matcher, used when the engine is given
 * none; the deployment injects a fuller one (src/i18n/places.ts: names and
 * short forms in every language, close misspellings).
 */
import type { PlaceKind, PlaceMatcher } from "../ports.js";

/** ISO 3166-1 alpha-2 codes of current countries and territories. */
const COUNTRY_CODES =
  "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW".split(
    " ",
  );

/** ISO 639-1 codes of languages. */
const LANGUAGE_CODES =
  "aa ab af ak am ar as ay az ba be bg bh bi bm bn bo br bs ca ce ch co cs cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ig ii ik is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc om or os pa pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi wo xh yi yo za zh zu".split(
    " ",
  );

/** The codes a place answer may store. */
export function placeCodes(kind: PlaceKind): readonly string[] {
  return kind === "country" ? COUNTRY_CODES : LANGUAGE_CODES;
}

/** A code as typed ("ke", " SW ") in its stored case, if it is one. */
export function placeCode(kind: PlaceKind, typed: string): string | null {
  const wanted = normalisePlaceName(typed);
  const asCode = kind === "country" ? wanted.toUpperCase() : wanted;
  return placeCodes(kind).includes(asCode) ? asCode : null;
}

/** The form names are compared in: no accents or marks, lower case, words separated by one space. */
export function normalisePlaceName(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLocaleLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

const nameTables = new Map<string, Map<string, string>>();

function nameTable(kind: PlaceKind, locale: string): Map<string, string> {
  const cacheKey = `${kind}:${locale}`;
  let table = nameTables.get(cacheKey);
  if (table) return table;
  table = new Map();
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames([locale], { type: kind === "country" ? "region" : "language", fallback: "none" });
  } catch {
    names = undefined;
  }
  for (const code of placeCodes(kind)) {
    const name = names?.of(code);
    if (name) table.set(normalisePlaceName(name), code);
  }
  nameTables.set(cacheKey, table);
  return table;
}

/** The display name of a code in a locale, or the code itself if the runtime has none. */
export function placeName(kind: PlaceKind, code: string, locale: string): string {
  try {
    const names = new Intl.DisplayNames([locale], {
      type: kind === "country" ? "region" : "language",
      fallback: "code",
    });
    return names.of(kind === "country" ? code.toUpperCase() : code.toLowerCase()) ?? code;
  } catch {
    return code;
  }
}

/**
 * Matches what a participant typed ("Kenya", "ke", "Quênia", "日本") to a code:
 * the code itself, or a name in the participant's locales, then English.
 * Only exact names: this matcher never suggests.
 */
export const matchPlaceByName: PlaceMatcher = (kind, typed, locales) => {
  const code = placeCode(kind, typed);
  if (code) return { code, exact: true };
  const wanted = normalisePlaceName(typed);
  if (wanted.length === 0) return null;
  for (const locale of [...locales, "en"]) {
    const named = nameTable(kind, locale).get(wanted);
    if (named) return { code: named, exact: true };
  }
  return null;
};

const nativeNames = new Map<string, string>();

/** A language's name written in that language ("Español", "日本語"), for the language menu. */
export function nativeLanguageName(locale: string): string {
  let name = nativeNames.get(locale);
  if (name === undefined) {
    const own = placeName("language", locale, locale);
    // "español" → "Español", but a name already cased by its language stays as it is ("isiZulu").
    name = own === own.toLocaleLowerCase(locale) ? own.charAt(0).toLocaleUpperCase(locale) + own.slice(1) : own;
    nativeNames.set(locale, name);
  }
  return name;
}
