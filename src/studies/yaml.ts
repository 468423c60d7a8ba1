import { parseDocument } from "yaml";

/** Alias uses allowed in one file; plenty for hand-written YAML, far too few for a "billion laughs" bomb. */
const MAX_ALIAS_COUNT = 100;

type YamlResult = { ok: true; value: unknown } | { ok: false; problems: string[] };

/**
 * Parses YAML (or JSON) text into plain values, with every problem as one
 * line `NAME: where: message`: syntax errors, duplicate keys, and aliases
 * that expand too far (the yaml library stops those before they eat the
 * memory; here they become a refusal of the file like any other problem).
 */
export function parseYamlText(text: string, name: string): YamlResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const at = error.linePos?.[0];
        const where = at ? `line ${at.line}, column ${at.col}` : "syntax";
        const message = (error.message.split("\n")[0]?.trim() ?? "").replace(/ at line \d+, column \d+:?$/, "");
        return `${name}: ${where}: ${message}`;
      }),
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    if (error instanceof ReferenceError && /alias/i.test(error.message)) {
      return {
        ok: false,
        problems: [`${name}: its aliases expand too far (more than ${MAX_ALIAS_COUNT} uses): refused`],
      };
    }
    throw error;
  }
}
