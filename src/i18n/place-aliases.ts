import type { PlaceKind } from "../core/ports.js";

/**
 * Names people type for a country or language that neither data package
 * (i18n-iso-countries, @cospired/i18n-iso-languages) nor the runtime's CLDR
 * names have. Keep it to those: anything a package knows belongs there.
 * Compared after normalisation (case and accents do not matter).
 */
export const PLACE_ALIASES: Record<PlaceKind, Record<string, readonly string[]>> = {
  country: {
    // The nations of the United Kingdom: their participants answer for the state, GB.
    GB: [
      "England",
      "Scotland",
      "Wales",
      "Northern Ireland",
      "Britain",
      "Inglaterra",
      "Escocia",
      "Escócia",
      "Gales",
      "País de Gales",
      "Engeland",
      "Schotland",
      "Skotland",
      "Angleterre",
      "イングランド",
      "スコットランド",
      "إنجلترا",
      "इंग्लैंड",
    ],
    NL: ["Holland", "Holanda", "Hollande"],
    // "Korea" alone almost always means the South; North Korea has its own names.
    KR: ["Korea", "Corea", "Coreia", "Corée", "한국", "韓國"],
    US: ["EEUU", "EUA"],
    CD: ["DR Congo", "DRC"],
    BA: ["Bosnia"],
    TT: ["Trinidad"],
    MM: ["Burma"],
    SZ: ["Swaziland"],
    MK: ["Macedonia"],
    TL: ["East Timor"],
    MO: ["Macau"],
    VA: ["Vatican"],
  },
  language: {
    // ISO 639-1 has one code for Chinese; Mandarin and Cantonese are its main varieties.
    zh: [
      "Mandarin",
      "Mandarin Chinese",
      "Mandarín",
      "Mandarim",
      "Mandarijn",
      "Putonghua",
      "普通话",
      "普通話",
      "国语",
      "國語",
      "华语",
      "華語",
      "Cantonese",
      "粤语",
      "粵語",
      "廣東話",
    ],
    fa: ["Farsi", "Dari"],
    es: ["Castilian", "Castellano"],
    nl: ["Flemish", "Vlaams"],
    ms: ["Bahasa Melayu", "Bahasa Malaysia"],
    id: ["Bahasa Indonesia"],
    hi: ["हिंदी"],
    ny: ["Chichewa"],
    ts: ["Xitsonga"],
    ve: ["Tshivenda"],
    ss: ["siSwati"],
    nr: ["isiNdebele"],
  },
};
